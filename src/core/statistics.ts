/**
 * Pure statistics for deciding whether a candidate is really faster: robust location (median),
 * robust spread (MAD), and a one-sided Mann-Whitney U test with the normal approximation and a
 * tie correction. No dependencies, no randomness except through an injected `Random`.
 */

/** A source of uniform numbers in [0, 1). Injected so that resampling is reproducible in tests. */
export type Random = () => number;

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/** Median absolute deviation from the median (unscaled). */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

export interface MannWhitneyResult {
  /** U statistic of the first sample (count of pairs where a > b, ties count one half). */
  readonly u: number;
  readonly z: number;
  /** One-sided p-value for the alternative "first sample tends to be smaller than the second". */
  readonly pLess: number;
}

/**
 * Mann-Whitney U test, normal approximation with continuity and tie correction. Returns the
 * one-sided p-value for H1: values of `a` are stochastically smaller than those of `b` — for
 * runtimes, "a is faster". With too few samples, or all values tied, p is 1 (no evidence).
 */
export function mannWhitneyLess(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, pLess: 1 };
  const pooled = [...a.map((value) => ({ value, first: true })), ...b.map((value) => ({ value, first: false }))].sort(
    (x, y) => x.value - y.value,
  );
  // Average ranks for ties; collect tie group sizes for the variance correction.
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < pooled.length;) {
    let j = i;
    while (
      j + 1 < pooled.length &&
      (pooled[j + 1] as { value: number }).value === (pooled[i] as { value: number }).value
    )
      j++;
    const groupSize = j - i + 1;
    const averageRank = (i + 1 + j + 1) / 2;
    for (let k = i; k <= j; k++) if ((pooled[k] as { first: boolean }).first) rankSumA += averageRank;
    if (groupSize > 1) tieTerm += groupSize ** 3 - groupSize;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const meanU = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, pLess: 1 };
  // Small U means a is smaller; continuity correction moves U toward the mean.
  const z = (u - meanU + 0.5) / Math.sqrt(variance);
  return { u, z, pLess: normalCdf(z) };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 through erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return sign * (1 - poly * Math.exp(-x * x));
}

export interface RatioInterval {
  readonly low: number;
  readonly high: number;
}

/**
 * Percentile bootstrap confidence interval of median(b) / median(a) — with `a` the candidate and
 * `b` the best so far, a ratio > 1 means the candidate is faster. Used for display; the acceptance
 * rule relies on the rank test.
 */
export function bootstrapMedianRatio(
  a: readonly number[],
  b: readonly number[],
  random: Random,
  resamples = 1000,
  confidence = 0.99,
): RatioInterval {
  if (a.length === 0 || b.length === 0) return { low: Number.NaN, high: Number.NaN };
  const ratios: number[] = [];
  for (let r = 0; r < resamples; r++) {
    ratios.push(median(resample(b, random)) / median(resample(a, random)));
  }
  ratios.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  const at = (q: number): number =>
    ratios[Math.min(ratios.length - 1, Math.max(0, Math.floor(q * ratios.length)))] as number;
  return { low: at(tail), high: at(1 - tail) };
}

function resample(values: readonly number[], random: Random): number[] {
  return values.map(() => values[Math.floor(random() * values.length)] as number);
}

/** Per-pair ratios a[i] / b[i] of two paired sample lists (pairs with a non-positive or non-finite member are left out). */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (Number.isFinite(x) && Number.isFinite(y) && x > 0 && y > 0) ratios.push(x / y);
  }
  return ratios;
}

export interface SignTestResult {
  /** Pairs whose ratio is below the pivot ("a was faster in this pair"). */
  readonly below: number;
  readonly above: number;
  /** Exact one-sided p-value for H1: ratios tend to lie below the pivot. */
  readonly pLess: number;
}

/**
 * Exact one-sided sign test: P(X ≥ below) for X ~ Binomial(below + above, ½); ratios equal to
 * the pivot are left out. It assumes only that pairs are independent and that, when neither side
 * is faster, a pair is as likely to fall on either side of the pivot. With no pairs, p is 1.
 */
export function signTestLess(ratios: readonly number[], pivot = 1): SignTestResult {
  const below = ratios.filter((r) => r < pivot).length;
  const above = ratios.filter((r) => r > pivot).length;
  const n = below + above;
  if (n === 0) return { below, above, pLess: 1 };
  // Sum the binomial tail in log space: 0.5^n underflows for long runs.
  let logPmf = -n * Math.LN2; // k = 0
  const logTerms: number[] = [];
  for (let k = 0; k <= n; k++) {
    if (k > 0) logPmf += Math.log((n - k + 1) / k);
    if (k >= below) logTerms.push(logPmf);
  }
  const top = Math.max(...logTerms);
  const tail = Math.exp(top) * logTerms.reduce((sum, t) => sum + Math.exp(t - top), 0);
  return { below, above, pLess: Math.min(1, tail) };
}
