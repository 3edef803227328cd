/**
 * The evaluation metrics of the Afterburner paper and of Mercury, on figures measured by us, in
 * the same sandbox, in the same run, for the answer and for every human reference solution.
 *
 * Formulas (all fractions in [0, 1]):
 * - pass@1 = share of problems whose (single) answer passes the tests.
 * - Time% / Memory% / Integral% of one problem = (number of passing references the answer beats
 *   or ties on median runtime / peak memory / memory-time integral) ÷ (number of passing
 *   references); an answer that fails scores 0 (the paper's definition).
 * - Beyond (Mercury) = (max − r) / (max − min), with r the answer's median runtime clipped to
 *   [min, max] of the passing references' median runtimes; a failure scores 0.
 * - Speed-up = median of the references' median runtimes ÷ the answer's median runtime.
 * - Aggregates are means over problems (the geometric mean for the speed-up), each with a
 *   percentile-bootstrap 95 % interval over problems.
 *
 * Ties: two figures a and b count as equal when they are within the measured noise of each other,
 *   |a − b| ≤ max(min(k · max(cv_a · a, cv_b · b), ceiling · max(a, b)), floor · max(a, b), absolute)
 * with the runtime CVs of the two measurements (memory figures are single values: cv 0), k = 2,
 * floor = 2 %, ceiling = 50 % (a 2× difference is never noise) and a small absolute floor for
 * memory (allocation granularity). The CV is the robust
 * one, 1.4826 · MAD / median of the samples, when there are at least 5 samples: one preempted
 * sample must not widen the band until everything ties. And an answer whose code is identical to a
 * reference (after normalising comments and whitespace) is that program: it gets that reference's
 * figures, so it can never lose to it by run-to-run noise.
 */
import { bootstrapMeanInterval, mean } from './bootstrap';
import type { CodeOutcome, EvalSummary, Figures, IterationPoint, ProblemResult, ProblemScores } from './evalTypes';
import type { Measurement } from './sandboxTypes';
import { median, medianAbsoluteDeviation, type Random } from './statistics';

export interface TieRule {
  /** How many noise widths (CV × value) apart two figures may be and still tie. */
  readonly k: number;
  /** Relative floor of the noise band, a fraction. */
  readonly floor: number;
  /** Absolute floor for peak memory, kB. */
  readonly memoryKb: number;
  /** Absolute floor for the memory-time integral, kB·ms. */
  readonly integralKbMs: number;
  /**
   * Ceiling of the band, a fraction of the larger figure: on a very noisy machine (CV 40 %) the
   * CV term alone would let code twice as slow tie; a 2× difference is never noise.
   */
  readonly ceiling: number;
}

export const DEFAULT_TIE_RULE: TieRule = { k: 2, floor: 0.02, memoryKb: 1, integralKbMs: 1, ceiling: 0.5 };

export function figuresOf(m: Measurement): Figures {
  return {
    runtimeMs: m.runtimeMs.median,
    runtimeCv: robustCv(m),
    peakMemoryKb: m.peakMemoryKb,
    integralKbMs: m.integralKbMs,
  };
}

/** 1.4826 · MAD / median (the CV a normal distribution with that MAD would have); the reported CV with few samples. */
export function robustCv(m: Measurement): number {
  const values = m.runtimeMs.values;
  if (values.length < 5) return m.runtimeMs.cv;
  const mid = median(values);
  return mid > 0 ? (1.4826 * medianAbsoluteDeviation(values)) / mid : m.runtimeMs.cv;
}

/** True when a and b are within the measured noise of each other (see the module comment). */
export function withinNoise(a: number, b: number, cvA: number, cvB: number, rule: TieRule, absolute = 0): boolean {
  const larger = Math.max(Math.abs(a), Math.abs(b));
  const noise = Math.min(
    rule.k * Math.max(finiteOr0(cvA) * Math.abs(a), finiteOr0(cvB) * Math.abs(b)),
    rule.ceiling * larger,
  );
  const band = Math.max(noise, rule.floor * larger, absolute);
  return Math.abs(a - b) <= band;
}

/** Lower is better for every figure we compare: the answer beats or ties the reference. */
export function beatsOrTies(
  answer: number,
  reference: number,
  cvAnswer: number,
  cvReference: number,
  rule: TieRule,
  absolute = 0,
): boolean {
  return answer <= reference || withinNoise(answer, reference, cvAnswer, cvReference, rule, absolute);
}

type Metric = 'time' | 'memory' | 'integral';

function value(f: Figures, metric: Metric): number {
  return metric === 'time' ? f.runtimeMs : metric === 'memory' ? f.peakMemoryKb : f.integralKbMs;
}

function cv(f: Figures, metric: Metric): number {
  return metric === 'time' ? f.runtimeCv : 0;
}

function absoluteFloor(metric: Metric, rule: TieRule): number {
  return metric === 'time' ? 0 : metric === 'memory' ? rule.memoryKb : rule.integralKbMs;
}

/** Share of references the answer beats or ties on one figure. Empty references → NaN. */
export function percentile(
  answer: Figures,
  references: readonly Figures[],
  metric: Metric,
  rule: TieRule = DEFAULT_TIE_RULE,
): number {
  if (references.length === 0) return Number.NaN;
  const a = value(answer, metric);
  let wins = 0;
  for (const ref of references) {
    if (beatsOrTies(a, value(ref, metric), cv(answer, metric), cv(ref, metric), rule, absoluteFloor(metric, rule)))
      wins++;
  }
  return wins / references.length;
}

/**
 * Mercury's Beyond on runtime. An answer within noise of the fastest reference scores 1, within
 * noise of the slowest scores 0; when all references tie, 1 if the answer ties or beats them, else 0.
 */
export function beyond(answer: Figures, references: readonly Figures[], rule: TieRule = DEFAULT_TIE_RULE): number {
  if (references.length === 0) return Number.NaN;
  let fastest = references[0] as Figures;
  let slowest = fastest;
  for (const ref of references) {
    if (ref.runtimeMs < fastest.runtimeMs) fastest = ref;
    if (ref.runtimeMs > slowest.runtimeMs) slowest = ref;
  }
  const r = answer.runtimeMs;
  if (beatsOrTies(r, fastest.runtimeMs, answer.runtimeCv, fastest.runtimeCv, rule)) return 1;
  if (withinNoise(fastest.runtimeMs, slowest.runtimeMs, fastest.runtimeCv, slowest.runtimeCv, rule)) return 0;
  if (!(r < slowest.runtimeMs) || withinNoise(r, slowest.runtimeMs, answer.runtimeCv, slowest.runtimeCv, rule))
    return 0;
  const max = slowest.runtimeMs;
  const min = fastest.runtimeMs;
  return (max - r) / (max - min);
}

/** median(reference runtimes) / answer runtime. */
export function speedupVsMedianReference(answer: Figures, references: readonly Figures[]): number {
  if (references.length === 0 || !(answer.runtimeMs > 0)) return Number.NaN;
  return median(references.map((r) => r.runtimeMs)) / answer.runtimeMs;
}

export const FAILED_SCORES: ProblemScores = {
  passed: false,
  timePct: 0,
  memoryPct: 0,
  integralPct: 0,
  beyond: 0,
  speedup: null,
};

/**
 * Scores of one answer against the passing references of its problem; null when no reference
 * passed (the percentiles are then undefined and the problem counts only towards pass@1).
 */
export function scoreProblem(
  answer: CodeOutcome,
  references: readonly Figures[],
  rule: TieRule = DEFAULT_TIE_RULE,
  /** Index (into `references`) of a reference whose code is identical to the answer's. */
  identicalTo?: number,
): ProblemScores | null {
  if (references.length === 0) return null;
  if (answer.kind !== 'passed') return FAILED_SCORES;
  const f = (identicalTo !== undefined ? references[identicalTo] : undefined) ?? figuresOf(answer.measurement);
  return {
    passed: true,
    timePct: percentile(f, references, 'time', rule),
    memoryPct: percentile(f, references, 'memory', rule),
    integralPct: percentile(f, references, 'integral', rule),
    beyond: beyond(f, references, rule),
    speedup: speedupVsMedianReference(f, references),
  };
}

/** The passing references' figures, in reference order. */
export function passingReferenceFigures(references: ProblemResult['references']): Figures[] {
  const out: Figures[] = [];
  for (const r of references) if (r.outcome.kind === 'passed') out.push(figuresOf(r.outcome.measurement));
  return out;
}

/** Position among the passing references of the first one whose code equals `code` (normalised), if any. */
export function identicalPassingReference(
  references: ProblemResult['references'],
  codes: readonly string[],
  code: string,
  normalize: (code: string) => string,
): number | undefined {
  const wanted = normalize(code);
  let position = 0;
  for (const r of references) {
    if (r.outcome.kind !== 'passed') continue;
    const refCode = codes[r.index];
    if (refCode !== undefined && normalize(refCode) === wanted) return position;
    position++;
  }
  return undefined;
}

export function geometricMean(values: readonly number[]): number | null {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return null;
  return Math.exp(mean(positive.map(Math.log)));
}

/** The aggregate over problems, with percentile-bootstrap 95 % intervals (injected `random`). */
export function summarize(results: readonly ProblemResult[], random: Random): EvalSummary {
  const passed = results.map((r) => (r.answer.outcome.kind === 'passed' ? 1 : 0));
  const scored = results.flatMap((r) => (r.scores ? [r.scores] : []));
  return summarizeScores(passed, scored, results.length - scored.length, random);
}

function summarizeScores(
  passed: readonly number[],
  scored: readonly ProblemScores[],
  withoutReferences: number,
  random: Random,
): EvalSummary {
  const column = (pick: (s: ProblemScores) => number): number[] => scored.map(pick);
  const time = column((s) => s.timePct);
  const memory = column((s) => s.memoryPct);
  const integral = column((s) => s.integralPct);
  const beyondValues = column((s) => s.beyond);
  return {
    problems: passed.length,
    pass_at_1: orZero(mean(passed)),
    time_pct: orZero(mean(time)),
    memory_pct: orZero(mean(memory)),
    integral_pct: orZero(mean(integral)),
    beyond: orZero(mean(beyondValues)),
    speedup: geometricMean(scored.flatMap((s) => (s.speedup === null ? [] : [s.speedup]))),
    problems_without_references: withoutReferences,
    ci: {
      pass_at_1: bootstrapMeanInterval(passed, random),
      time_pct: bootstrapMeanInterval(time, random),
      memory_pct: bootstrapMeanInterval(memory, random),
      integral_pct: bootstrapMeanInterval(integral, random),
      beyond: bootstrapMeanInterval(beyondValues, random),
    },
  };
}

export interface IterationSummary {
  readonly iteration: number;
  readonly pass_at_1: number;
  readonly time_pct: number;
  readonly memory_pct: number;
  readonly integral_pct: number;
  readonly beyond: number;
}

/**
 * The per-iteration curve of an --optimize evaluation: at iteration i, every problem is scored by
 * its best code after i rounds (a problem whose run stopped early keeps its last best; one that
 * never got a start, e.g. the model wrote no usable code, keeps its final scores, a failure).
 */
export function iterationCurve(results: readonly ProblemResult[]): IterationSummary[] {
  const last = Math.max(-1, ...results.flatMap((r) => (r.iterations ?? []).map((p) => p.iteration)));
  const curve: IterationSummary[] = [];
  for (let i = 0; i <= last; i++) {
    const scored = results.flatMap((r) => {
      const scores = pointAt(r.iterations ?? [], i)?.scores ?? r.scores;
      return scores ? [scores] : [];
    });
    if (scored.length === 0) continue;
    curve.push({
      iteration: i,
      pass_at_1: orZero(mean(scored.map((s) => (s.passed ? 1 : 0)))),
      time_pct: orZero(mean(scored.map((s) => s.timePct))),
      memory_pct: orZero(mean(scored.map((s) => s.memoryPct))),
      integral_pct: orZero(mean(scored.map((s) => s.integralPct))),
      beyond: orZero(mean(scored.map((s) => s.beyond))),
    });
  }
  return curve;
}

function pointAt(points: readonly IterationPoint[], iteration: number): IterationPoint | undefined {
  let best: IterationPoint | undefined;
  for (const p of points) if (p.iteration <= iteration && (!best || p.iteration > best.iteration)) best = p;
  return best;
}

function orZero(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

function finiteOr0(x: number): number {
  return Number.isFinite(x) && x > 0 ? x : 0;
}
