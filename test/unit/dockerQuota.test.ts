import { describe, expect, it } from 'vitest';
import { throttledShare } from '../../src/adapters/dockerQuota';

describe("the Docker sandbox's CPU-quota throttling over a run", () => {
  it('is the share of the periods between the two reads in which the quota throttled the container', () => {
    expect(throttledShare({ periods: 52, throttled: 44 }, { periods: 114, throttled: 104 })).toBeCloseTo(60 / 62, 12);
    expect(throttledShare({ periods: 10, throttled: 0 }, { periods: 30, throttled: 0 })).toBe(0);
  });

  it('is unknown when a read failed or no period passed', () => {
    expect(throttledShare(undefined, { periods: 3, throttled: 1 })).toBeUndefined();
    expect(throttledShare({ periods: 3, throttled: 1 }, undefined)).toBeUndefined();
    expect(throttledShare({ periods: 3, throttled: 1 }, { periods: 3, throttled: 1 })).toBeUndefined();
  });

  it('stays within 0..1 when the counters were reset between the reads (a replaced container)', () => {
    expect(throttledShare({ periods: 50, throttled: 40 }, { periods: 60, throttled: 5 })).toBe(0);
  });
});
