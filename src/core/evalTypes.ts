/**
 * Benchmark evaluation in the research's own terms (Afterburner / Mercury / Venus): problems with
 * human reference solutions, answers to score against them, and what one evaluation produces.
 * Pure data; the metric formulas live in evalMetrics.ts.
 */
import type { Language, Measurement, SandboxStatus, SizePoint } from './sandboxTypes';

/** One call of the entry point and the value it must return (JSON values). */
export interface ArgsExpected {
  readonly args: readonly unknown[];
  readonly expected: unknown;
}

/** One stdin → stdout case of a Venus / Mercury row. */
export interface StdioCase {
  readonly input: string;
  readonly output: string;
}

/** How a problem is tested. Each variant is turned into a test file in the language's own style. */
export type ProblemTests =
  /** Calls of the entry point with JSON arguments, compared to JSON expected values. */
  | { readonly kind: 'args'; readonly cases: readonly ArgsExpected[] }
  /** A test file written in the language's test style (Python unittest/pytest, node:test). */
  | { readonly kind: 'code'; readonly code: string }
  /**
   * The Venus row format: a runner script with the `==Code Submission==` placeholder that reads
   * stdin and prints the answer, an optional `evaluate(expected_output, program_output)` function,
   * and stdin/stdout pairs.
   */
  | {
      readonly kind: 'stdio';
      readonly cases: readonly StdioCase[];
      readonly runner?: string;
      readonly evaluator?: string;
    };

/** A human solution as the dataset gives it, with the dataset's own figures when it has them. */
export interface ReferenceSolution {
  readonly code: string;
  /** The dataset's recorded figures (their sandbox, their machine): kept for information only. */
  readonly recorded?: {
    readonly passed?: boolean;
    readonly time?: number;
    readonly memory?: number;
    readonly integral?: number;
  };
}

export interface EvalProblem {
  readonly id: string;
  readonly language: Language;
  /** `name` or `Class.method`. */
  readonly entryPoint: string;
  readonly description: string;
  readonly tests: ProblemTests;
  readonly solutions: readonly ReferenceSolution[];
  /** Source of an `afterburner_inputs(size)` generator placed next to the tests (complexity curves). */
  readonly inputsGenerator?: string;
  /** Sizes to measure at when `inputsGenerator` is present. */
  readonly sizes?: readonly number[];
}

export interface EvalAnswer {
  readonly id: string;
  readonly code: string;
}

/** What we measured of one piece of code (a reference or an answer) in this run. */
export type CodeOutcome =
  | { readonly kind: 'passed'; readonly measurement: Measurement }
  | {
      readonly kind: 'failed';
      readonly status: Exclude<SandboxStatus, 'passed'> | 'passed_without_measurement' | 'no_answer';
      readonly message: string;
    };

/** The figures the metrics compare, with their noise. */
export interface Figures {
  readonly runtimeMs: number;
  /** Coefficient of variation of the runtime samples (fraction). */
  readonly runtimeCv: number;
  readonly peakMemoryKb: number;
  readonly integralKbMs: number;
}

/** The answer's scores against the passing references of one problem. Fractions in [0, 1]. */
export interface ProblemScores {
  readonly passed: boolean;
  /** Share of passing references the answer beats or ties on runtime; 0 when it failed. */
  readonly timePct: number;
  readonly memoryPct: number;
  readonly integralPct: number;
  /** Mercury's Beyond on runtime; 0 when it failed. */
  readonly beyond: number;
  /** median(reference runtimes) / answer runtime; null when the answer failed. */
  readonly speedup: number | null;
}

/** The differential check of the answer against the first passing reference's recorded calls. */
export type DifferentialCheck =
  | { readonly kind: 'agreed' }
  | { readonly kind: 'differs'; readonly message: string }
  | { readonly kind: 'not_run'; readonly reason: string };

/** One point of an --optimize run: the best code after `iteration` rounds (0 = the start). */
export interface IterationPoint {
  readonly iteration: number;
  readonly scores: ProblemScores;
}

/** How an --optimize run of one problem ended, in the loop's own words. */
export interface OptimizationRun {
  readonly outcome: 'improved' | 'no_improvement' | 'failed' | 'cancelled';
  readonly reason: string;
  /** Iteration whose code is the answer (0 = the start was kept). */
  readonly bestIteration: number;
  /** Where the start came from: the --answers file, or the model wrote it. */
  readonly start: 'given' | 'model';
}

export interface ComplexityComparison {
  readonly original: string;
  readonly answer: string;
}

export interface ProblemResult {
  readonly id: string;
  readonly language: Language;
  /** Problem had no reference solution that passed here: percentile metrics are not defined. */
  readonly referencesPassed: number;
  readonly referencesTotal: number;
  readonly references: readonly { readonly index: number; readonly outcome: CodeOutcome }[];
  readonly answer: { readonly outcome: CodeOutcome; readonly code: string; readonly sizes?: readonly SizePoint[] };
  readonly differential: DifferentialCheck;
  /** null when no reference passed (the problem is then left out of the percentile averages). */
  readonly scores: ProblemScores | null;
  /** Per-iteration scores for --optimize runs. */
  readonly iterations?: readonly IterationPoint[];
  readonly optimization?: OptimizationRun;
  readonly complexity?: ComplexityComparison;
  /** Sandbox wall time of all runs of this problem, ms (for throughput figures, never a metric). */
  readonly wallMs: number;
}

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** The aggregate over problems; `ci` holds percentile-bootstrap 95 % intervals over problems. */
export interface EvalSummary {
  readonly problems: number;
  readonly pass_at_1: number;
  readonly time_pct: number;
  readonly memory_pct: number;
  readonly integral_pct: number;
  readonly beyond: number;
  /** Geometric mean of the speed-up over problems the answer passed; null when none did. */
  readonly speedup: number | null;
  /** Problems whose references all failed here: counted in pass@1, left out of the percentiles. */
  readonly problems_without_references: number;
  readonly ci: {
    readonly pass_at_1: Interval;
    readonly time_pct: Interval;
    readonly memory_pct: Interval;
    readonly integral_pct: Interval;
    readonly beyond: Interval;
  };
}
