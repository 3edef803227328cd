import { describe, expect, it } from 'vitest';
import {
  bootstrapMedianRatio,
  mannWhitneyLess,
  median,
  medianAbsoluteDeviation,
  normalCdf,
  pairedRatios,
  signTestLess,
} from '../../src/core/statistics';

/** A tiny deterministic generator (mulberry32) so resampling tests are reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('median and MAD', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });
  it('measures spread robustly against one outlier', () => {
    expect(medianAbsoluteDeviation([1, 2, 3, 4, 1000])).toBe(1);
  });
});

describe('normalCdf', () => {
  it('matches known quantiles', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(-2.326)).toBeCloseTo(0.01, 3);
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 3);
  });
});

describe('mannWhitneyLess', () => {
  it('finds a clearly faster sample significant', () => {
    const fast = [5.0, 5.1, 4.9, 5.2, 5.0, 4.8, 5.1, 5.05, 4.95, 5.0];
    const slow = [6.0, 6.2, 5.9, 6.1, 6.0, 6.3, 5.8, 6.05, 6.15, 6.0];
    const r = mannWhitneyLess(fast, slow);
    expect(r.u).toBe(0);
    expect(r.pLess).toBeLessThan(0.001);
    expect(mannWhitneyLess(slow, fast).pLess).toBeGreaterThan(0.99);
  });
  it('gives no evidence for identical samples (all tied)', () => {
    expect(mannWhitneyLess([1, 1, 1], [1, 1, 1]).pLess).toBe(1);
  });
  it('gives a large p for overlapping samples', () => {
    const a = [5, 7, 6, 8, 5.5, 7.5];
    const b = [6, 5, 7, 8, 6.5, 5.5];
    expect(mannWhitneyLess(a, b).pLess).toBeGreaterThan(0.2);
  });
  it('handles ties between the samples with the tie correction', () => {
    const r = mannWhitneyLess([1, 1, 2, 2], [2, 2, 3, 3]);
    // Ties count one half each: pairs a<b = 8 + 4 ties of 2 vs 2 → U = 4 * 0.5 = 2.
    expect(r.u).toBe(2);
    expect(r.pLess).toBeGreaterThan(0.01);
    expect(r.pLess).toBeLessThan(0.1);
  });
  it('returns p = 1 without samples', () => {
    expect(mannWhitneyLess([], [1, 2]).pLess).toBe(1);
  });
});

describe('bootstrapMedianRatio', () => {
  it('brackets the true ratio of medians and is reproducible with the same seed', () => {
    const best = [10, 10.2, 9.9, 10.1, 10.05, 9.95, 10.0, 10.1];
    const candidate = best.map((v) => v / 2);
    const a = bootstrapMedianRatio(candidate, best, seeded(1));
    const b = bootstrapMedianRatio(candidate, best, seeded(1));
    expect(a).toEqual(b);
    expect(a.low).toBeLessThanOrEqual(2);
    expect(a.high).toBeGreaterThanOrEqual(2);
    expect(a.low).toBeGreaterThan(1.8);
  });
});

describe('signTestLess and pairedRatios', () => {
  it('gives the exact binomial tail', () => {
    // 9 of 10 below: P(X ≥ 9) = (10 + 1) / 1024.
    expect(signTestLess([0.9, 0.8, 0.9, 0.7, 0.95, 0.9, 0.8, 0.9, 0.99, 1.1]).pLess).toBeCloseTo(11 / 1024, 12);
    expect(signTestLess(Array.from({ length: 10 }, () => 0.5)).pLess).toBeCloseTo(1 / 1024, 12);
  });
  it('sees no evidence in a coin-flip pattern, in ties, or in nothing', () => {
    expect(signTestLess([0.9, 1.1, 0.9, 1.1, 0.9, 1.1]).pLess).toBeGreaterThan(0.5);
    expect(signTestLess([1, 1, 1]).pLess).toBe(1);
    expect(signTestLess([]).pLess).toBe(1);
  });
  it('stays finite for long runs', () => {
    const p = signTestLess(Array.from({ length: 2000 }, () => 0.5)).pLess;
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(1e-300);
  });
  it('pairs samples by position and drops unusable pairs', () => {
    expect(pairedRatios([1, 2, 3, 0], [2, 2, Number.NaN, 1])).toEqual([0.5, 1]);
  });
});
