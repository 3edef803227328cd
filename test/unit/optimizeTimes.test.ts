// When `afterburner optimize` says that the two absolute times it prints were measured apart.
import { describe, expect, it } from 'vitest';
import { timesDisagree } from '../../src/cli/optimizeCommand';

describe('the times per call beside a side-by-side speed-up', () => {
  it('says nothing when the separate runs agree with the speed-up', () => {
    expect(timesDisagree(10, 7.4, 1.35)).toBe(false);
    expect(timesDisagree(10, 5, 1.6)).toBe(false);
  });

  it('says so when the separate runs point the other way or far from it', () => {
    // javascript-algorithms Heap.add beside two CPU hogs: 90 ns against 328 ns, 1.35× faster side by side.
    expect(timesDisagree(4.23, 15.4, 1.35)).toBe(true);
    expect(timesDisagree(10, 2, 1.3)).toBe(true);
  });

  it('says nothing without figures to compare', () => {
    expect(timesDisagree(0, 5, 1.2)).toBe(false);
    expect(timesDisagree(10, 5, Number.NaN)).toBe(false);
  });
});
