/**
 * Empirical complexity: fit size → runtime (and size → peak memory) points measured by the harness
 * (`measure.sizes`, an `afterburner_inputs(size)` generator) to the common classes
 * 1, log n, n, n log n, n², n³, 2ⁿ and say which one describes them.
 *
 * Method. For each class g, fit y ≈ a + b·g(n) with a ≥ 0, b ≥ 0 (a start-up overhead plus the
 * growing part) by weighted least squares with weights 1/y², i.e. minimising the RELATIVE error, so
 * the small sizes count as much as the large ones. The constant class fits y ≈ a. Then score each
 * class with an AIC-like criterion on the relative residuals e_i = (y_i − ŷ_i)/y_i:
 *     score = m · ln(Σ e_i² / m) + 2·k        (m points, k = 1 for the constant class, else 2)
 * and pick the lowest score; among classes whose score is within NEAR_TIE of the best, prefer the
 * simplest (the order listed above), because noise should not make code look worse than it is.
 * A class whose growing part fits with b = 0, or explains less than MIN_GROWTH (20 %) of the
 * largest fitted value as growth over the measured range, is the constant class in disguise and is
 * skipped.
 */
import type { SizePoint } from './sandboxTypes';

export type ComplexityClass = '1' | 'log n' | 'n' | 'n log n' | 'n^2' | 'n^3' | '2^n';

/** In order of increasing growth: the tie-break prefers earlier entries. */
export const COMPLEXITY_CLASSES: readonly ComplexityClass[] = ['1', 'log n', 'n', 'n log n', 'n^2', 'n^3', '2^n'];

/** Display form: "n log n", "n²", "2ⁿ". */
export const COMPLEXITY_LABEL: Record<ComplexityClass, string> = {
  '1': '1',
  'log n': 'log n',
  n: 'n',
  'n log n': 'n log n',
  'n^2': 'n²',
  'n^3': 'n³',
  '2^n': '2ⁿ',
};

/** Score difference under which two classes count as describing the points equally well. */
export const NEAR_TIE = 2;
/** A growing class must explain at least this share of the largest fitted value as growth. */
export const MIN_GROWTH = 0.2;
/** Fewer distinct sizes than this cannot tell the classes apart. */
export const MIN_SIZES = 4;

export interface ClassFit {
  readonly complexity: ComplexityClass;
  /** y ≈ intercept + coefficient · g(n); g(n) uses log base 2. For 2ⁿ the coefficient may underflow to 0 at large n. */
  readonly coefficient: number;
  readonly intercept: number;
  /** Root mean square of the relative residuals (0.05 = the fit is typically 5 % off). */
  readonly relativeError: number;
  /** The AIC-like score (lower is better). */
  readonly score: number;
}

export type ComplexityFit =
  | {
      readonly kind: 'fit';
      readonly complexity: ComplexityClass;
      readonly label: string;
      readonly coefficient: number;
      readonly intercept: number;
      readonly relativeError: number;
      /** All admissible classes, best score first, for display and debugging. */
      readonly candidates: readonly ClassFit[];
    }
  | { readonly kind: 'insufficient'; readonly reason: string };

export interface XY {
  readonly x: number;
  readonly y: number;
}

/** Fit one series of (size, value) points. Sizes must be ≥ 1; values ≥ 0. */
/**
 * `resolution`: the smallest difference the measurement can tell apart (same unit as y). When all
 * values lie within it, the growth is the instrument's noise (e.g. a few hundred bytes of allocator
 * bookkeeping in a function that allocates nothing that grows): constant.
 */
export function fitComplexity(points: readonly XY[], resolution = 0): ComplexityFit {
  const usable = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x >= 1 && p.y >= 0);
  const distinct = new Set(usable.map((p) => p.x)).size;
  if (distinct < MIN_SIZES) {
    return { kind: 'insufficient', reason: `need at least ${MIN_SIZES} distinct sizes, got ${distinct}` };
  }
  const maxY = Math.max(...usable.map((p) => p.y));
  const minY = Math.min(...usable.map((p) => p.y));
  if (!(maxY > 0) || maxY - minY <= resolution) {
    // Nothing measurable at any size (e.g. no allocation at all): constant, exactly.
    return {
      kind: 'fit',
      complexity: '1',
      label: COMPLEXITY_LABEL['1'],
      coefficient: 0,
      intercept: 0,
      relativeError: 0,
      candidates: [],
    };
  }
  // Values at zero (memory below the tracer's resolution) would get infinite weight: floor them.
  const floorY = maxY * 1e-3;
  const data = usable.map((p) => ({ x: p.x, y: p.y, w: 1 / Math.max(p.y, floorY) ** 2 }));
  const fits = COMPLEXITY_CLASSES.flatMap((c) => {
    const fit = fitClass(c, data);
    return fit ? [fit] : [];
  });
  const ranked = [...fits].sort((a, b) => a.score - b.score);
  const best = ranked[0] as ClassFit;
  const chosen = fits.find((f) => f.score <= best.score + NEAR_TIE) ?? best;
  return {
    kind: 'fit',
    complexity: chosen.complexity,
    label: COMPLEXITY_LABEL[chosen.complexity],
    coefficient: chosen.coefficient,
    intercept: chosen.intercept,
    relativeError: chosen.relativeError,
    candidates: ranked,
  };
}

interface Weighted {
  readonly x: number;
  readonly y: number;
  readonly w: number;
}

function fitClass(complexity: ComplexityClass, data: readonly Weighted[]): ClassFit | null {
  const xMax = Math.max(...data.map((d) => d.x));
  if (complexity === '1') {
    const a = sum(data, (d) => d.w * d.y) / sum(data, (d) => d.w);
    return finish(complexity, data, a, 0, () => 0, 1);
  }
  // Scale g by g(xMax) so 2ⁿ and n³ stay finite and well-conditioned; unscale the coefficient after.
  const logScale = logGrowth(complexity, xMax);
  const g = (x: number): number => Math.exp(logGrowth(complexity, x) - logScale);
  let { a, b } = weightedLine(data, g);
  if (a < 0) {
    a = 0;
    b = sum(data, (d) => d.w * g(d.x) * d.y) / sum(data, (d) => d.w * g(d.x) ** 2);
  }
  if (!(b > 0) || !Number.isFinite(b)) return null;
  // Growth smaller than MIN_GROWTH of the fitted top value is noise on a constant, not a trend.
  const xMin = Math.min(...data.map((d) => d.x));
  if (b * (g(xMax) - g(xMin)) < MIN_GROWTH * (a + b * g(xMax))) return null;
  return finish(complexity, data, a, b, g, 2, Math.exp(-logScale));
}

function finish(
  complexity: ComplexityClass,
  data: readonly Weighted[],
  a: number,
  b: number,
  g: (x: number) => number,
  k: number,
  unscale = 1,
): ClassFit {
  const floorY = Math.max(...data.map((d) => d.y)) * 1e-3;
  const squares = data.map((d) => ((d.y - (a + b * g(d.x))) / Math.max(d.y, floorY)) ** 2);
  const m = data.length;
  const meanSquare = squares.reduce((s, v) => s + v, 0) / m;
  // A tiny epsilon keeps ln finite for exact synthetic data.
  const score = m * Math.log(meanSquare + 1e-12) + 2 * k;
  return { complexity, coefficient: b * unscale, intercept: a, relativeError: Math.sqrt(meanSquare), score };
}

/** ln g(n) for each growing class (log base 2 inside the class, as usual in complexity talk). */
function logGrowth(complexity: Exclude<ComplexityClass, '1'>, n: number): number {
  const log2n = Math.log2(Math.max(n, 1));
  switch (complexity) {
    case 'log n':
      return Math.log(Math.max(log2n, 1e-9));
    case 'n':
      return Math.log(n);
    case 'n log n':
      return Math.log(n) + Math.log(Math.max(log2n, 1e-9));
    case 'n^2':
      return 2 * Math.log(n);
    case 'n^3':
      return 3 * Math.log(n);
    case '2^n':
      return n * Math.LN2;
  }
}

function weightedLine(data: readonly Weighted[], g: (x: number) => number): { a: number; b: number } {
  const sw = sum(data, (d) => d.w);
  const sx = sum(data, (d) => d.w * g(d.x));
  const sy = sum(data, (d) => d.w * d.y);
  const sxx = sum(data, (d) => d.w * g(d.x) ** 2);
  const sxy = sum(data, (d) => d.w * g(d.x) * d.y);
  const det = sw * sxx - sx * sx;
  if (!(Math.abs(det) > 0)) return { a: sy / sw, b: 0 };
  return { a: (sxx * sy - sx * sxy) / det, b: (sw * sxy - sx * sy) / det };
}

function sum<T>(items: readonly T[], f: (t: T) => number): number {
  let s = 0;
  for (const item of items) s += f(item);
  return s;
}

export interface ComplexityDescription {
  readonly time: ComplexityFit;
  readonly memory: ComplexityFit;
  /** One line for people, e.g. "time ≈ n log n (fit within 4 %), memory ≈ n (fit within 2 %)". */
  readonly summary: string;
}

/**
 * The entry point for `afterburner profile --sizes` and for eval reports: fit runtime and peak
 * memory of the harness's `measurement.sizes` points.
 */
/** Peak-memory differences below this are allocator noise, not growth. */
const MEMORY_RESOLUTION_KB = 2;

export function describeComplexity(points: readonly SizePoint[]): ComplexityDescription {
  const time = fitComplexity(points.map((p) => ({ x: p.size, y: p.runtimeMs })));
  const memory = fitComplexity(
    points.map((p) => ({ x: p.size, y: p.peakMemoryKb })),
    MEMORY_RESOLUTION_KB,
  );
  return { time, memory, summary: `time ${phrase(time)}, memory ${phrase(memory)}` };
}

function phrase(fit: ComplexityFit): string {
  if (fit.kind === 'insufficient') return `not estimated (${fit.reason})`;
  return `≈ ${fit.label} (fit within ${Math.round(fit.relativeError * 100)} %)`;
}

export interface ComplexityComparisonResult {
  readonly original: ComplexityDescription;
  readonly candidate: ComplexityDescription;
  /** original runtime / candidate runtime at each size both were measured at. */
  readonly speedupBySize: readonly { readonly size: number; readonly speedup: number }[];
  readonly summary: string;
}

/** Original vs best candidate on the same sizes: both fits and the speed-up at each size. */
export function compareComplexity(
  original: readonly SizePoint[],
  candidate: readonly SizePoint[],
): ComplexityComparisonResult {
  const a = describeComplexity(original);
  const b = describeComplexity(candidate);
  const bySize = new Map(candidate.map((p) => [p.size, p]));
  const speedupBySize = original.flatMap((p) => {
    const c = bySize.get(p.size);
    return c && c.runtimeMs > 0 ? [{ size: p.size, speedup: p.runtimeMs / c.runtimeMs }] : [];
  });
  const label = (f: ComplexityFit): string => (f.kind === 'fit' ? f.label : '?');
  return {
    original: a,
    candidate: b,
    speedupBySize,
    summary: `time ${label(a.time)} → ${label(b.time)}, memory ${label(a.memory)} → ${label(b.memory)}`,
  };
}
