import { describe, expect, it } from '@jest/globals';
import { servedStops } from '@/network/stops';
import type { Stop } from '@/common/stop';

const stop = (code: string): Stop => ({ code, name: `Stop ${code}` });

describe('servedStops', () => {
  it('lists each stop once, in the order first served, whatever the case of its code', () => {
    expect(
      servedStops([
        [stop('a1'), stop('B2')],
        [stop(' b2 '), stop('c3')],
      ]),
    ).toEqual(['A1', 'B2', 'C3']);
  });

  it('keeps up with a day of trips over a large network', () => {
    const trips = Array.from({ length: 60 }, (_, t) =>
      Array.from({ length: 60 }, (_, s) => stop(`S${(t * 37 + s * 11) % 1500}`)),
    );
    const served = servedStops(trips);
    expect(new Set(served).size).toBe(served.length);
    expect(served.length).toBeGreaterThan(1000);
  });
});
