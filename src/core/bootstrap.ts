/**
 * Percentile-bootstrap confidence intervals of a mean over problems (the unit that varies in a
 * benchmark). Randomness comes from the injected `Random` so intervals are reproducible.
 */
import type { Interval } from './evalTypes';
import type { Random } from './statistics';

export const BOOTSTRAP_RESAMPLES = 2000;
export const BOOTSTRAP_CONFIDENCE = 0.95;

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Interval of `mean(values)`: resample the values with replacement `resamples` times and take the
 * (1 − confidence)/2 and (1 + confidence)/2 quantiles of the resampled means. An empty input gives
 * NaN bounds; a single value (or all equal) gives a zero-width interval.
 */
export function bootstrapMeanInterval(
  values: readonly number[],
  random: Random,
  resamples = BOOTSTRAP_RESAMPLES,
  confidence = BOOTSTRAP_CONFIDENCE,
): Interval {
  const n = values.length;
  if (n === 0) return { low: Number.NaN, high: Number.NaN };
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random() * n)] as number;
    means[r] = sum / n;
  }
  means.sort();
  const tail = (1 - confidence) / 2;
  return { low: quantile(means, tail), high: quantile(means, 1 - tail) };
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  const frac = pos - lo;
  return (sorted[lo] as number) * (1 - frac) + (sorted[hi] as number) * frac;
}

/** A small, seedable generator (mulberry32) for callers that want reproducible intervals. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
