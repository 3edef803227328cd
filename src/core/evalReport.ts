/**
 * The one JSON document an evaluation produces (printed by `eval --json`, written next to the
 * HTML report, embedded in it). Shape per the CLI contract:
 * { problems, pass_at_1, time_pct, memory_pct, integral_pct, beyond, per_problem: [...] } plus
 * speed-up, bootstrap intervals and, for --optimize, the per-iteration curve.
 */
import { figuresOf, iterationCurve, summarize, type IterationSummary } from './evalMetrics';
import type { EvalSummary, ProblemResult } from './evalTypes';
import type { Random } from './statistics';

export interface PerProblemJson {
  readonly id: string;
  readonly language: string;
  readonly passed: boolean;
  readonly status: string;
  readonly message?: string;
  readonly references: { readonly passed: number; readonly total: number };
  /** null when no reference passed here (then the problem counts only for pass@1). */
  readonly time_pct: number | null;
  readonly memory_pct: number | null;
  readonly integral_pct: number | null;
  readonly beyond: number | null;
  readonly speedup: number | null;
  readonly runtime_ms: number | null;
  readonly runtime_cv: number | null;
  readonly peak_memory_kb: number | null;
  readonly integral_kb_ms: number | null;
  /** Median runtimes of the references that passed, in reference order. */
  readonly reference_runtime_ms: readonly number[];
  readonly reference_peak_memory_kb: readonly number[];
  readonly differential: string;
  readonly complexity?: { readonly original: string; readonly answer: string };
  readonly iterations?: readonly {
    readonly iteration: number;
    readonly passed: boolean;
    readonly time_pct: number;
    readonly beyond: number;
  }[];
  /** --optimize: how the loop ended for this problem. */
  readonly optimization?: {
    readonly outcome: string;
    readonly reason: string;
    readonly best_iteration: number;
    readonly start: 'given' | 'model';
  };
}

export type EvalReportJson = EvalSummary & {
  readonly per_problem: readonly PerProblemJson[];
  readonly iterations?: readonly IterationSummary[];
  readonly meta: {
    readonly problems_file: string;
    readonly answers: string;
    readonly sandbox: string;
    readonly generated_at: string;
    readonly workers: number;
  };
};

export function perProblemJson(r: ProblemResult): PerProblemJson {
  const o = r.answer.outcome;
  const f = o.kind === 'passed' ? figuresOf(o.measurement) : undefined;
  const refs = r.references.flatMap((x) => (x.outcome.kind === 'passed' ? [figuresOf(x.outcome.measurement)] : []));
  return {
    id: r.id,
    language: r.language,
    passed: o.kind === 'passed',
    status: o.kind === 'passed' ? 'passed' : o.status,
    ...(o.kind === 'failed' ? { message: o.message } : {}),
    references: { passed: r.referencesPassed, total: r.referencesTotal },
    time_pct: r.scores?.timePct ?? null,
    memory_pct: r.scores?.memoryPct ?? null,
    integral_pct: r.scores?.integralPct ?? null,
    beyond: r.scores?.beyond ?? null,
    speedup: r.scores?.speedup ?? null,
    runtime_ms: f?.runtimeMs ?? null,
    runtime_cv: f?.runtimeCv ?? null,
    peak_memory_kb: f?.peakMemoryKb ?? null,
    integral_kb_ms: f?.integralKbMs ?? null,
    reference_runtime_ms: refs.map((x) => x.runtimeMs),
    reference_peak_memory_kb: refs.map((x) => x.peakMemoryKb),
    differential: r.differential.kind === 'differs' ? `differs: ${r.differential.message}` : r.differential.kind,
    ...(r.complexity ? { complexity: r.complexity } : {}),
    ...(r.iterations
      ? {
          iterations: r.iterations.map((p) => ({
            iteration: p.iteration,
            passed: p.scores.passed,
            time_pct: p.scores.timePct,
            beyond: p.scores.beyond,
          })),
        }
      : {}),
    ...(r.optimization
      ? {
          optimization: {
            outcome: r.optimization.outcome,
            reason: r.optimization.reason,
            best_iteration: r.optimization.bestIteration,
            start: r.optimization.start,
          },
        }
      : {}),
  };
}

export function buildEvalReport(
  results: readonly ProblemResult[],
  random: Random,
  meta: EvalReportJson['meta'],
  order?: readonly string[],
): EvalReportJson {
  const rank = new Map((order ?? []).map((id, i) => [id, i]));
  const sorted = [...results].sort((a, b) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity));
  const curve = iterationCurve(sorted);
  return {
    ...summarize(sorted, random),
    per_problem: sorted.map(perProblemJson),
    ...(curve.length > 0 ? { iterations: curve } : {}),
    meta,
  };
}
