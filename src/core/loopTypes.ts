/** What the optimisation loop takes and emits. The VS Code layer and the CLI only consume events. */
import type { LanguageSupport } from './languageSupport';
import type {
  Limits,
  Measurement,
  MeasureOptions,
  ProjectMount,
  SandboxResult,
  SandboxStatus,
  SourceFile,
  TestFailure,
} from './sandboxTypes';

export type Goal = 'time' | 'memory' | 'integral';

export interface OptimizeRequest {
  /** What the loop knows of the module's language (its id goes into every sandbox job). */
  readonly language: LanguageSupport;
  /** Work-dir-relative files: the module (original text), tests, and anything they import. */
  readonly files: readonly SourceFile[];
  readonly modulePath: string;
  readonly testPaths: readonly string[];
  /** `name` or `Class.method`. */
  readonly target: string;
  readonly goal: Goal;
  readonly iterations: number;
  readonly candidates: number;
  readonly limits: Limits;
  readonly workspaceRoot?: string;
  /** The project run in place (files are then overlays, paths project-relative); see SandboxJob. */
  readonly project?: ProjectMount;
  /** Measurement options passed to every sandbox run (e.g. `hotLines: true` for the prompt). */
  readonly measure?: MeasureOptions;
  /**
   * Plateau patience: the run stops after this many iterations in a row whose candidates passed
   * but none beat the best. Iterations that only repair (failures, no code, model errors) do not
   * count. 0 runs every requested iteration. Default `DEFAULT_PATIENCE`.
   */
  readonly patience?: number;
}

/** Why the model says its version is faster, and what the measurements say. */
export interface CandidateExplanation {
  /** The reply's own words around the code block, trimmed; absent when it gave none. */
  readonly model?: string;
  /** Measured facts in sentences: growth classes, hot lines of the original vs the candidate. */
  readonly measured: readonly string[];
}

/** One candidate's fate. `reason` is always a sentence a user can read. */
export type CandidateVerdict =
  { readonly kind: 'accepted'; readonly reason: string } | { readonly kind: 'rejected'; readonly reason: string };

export interface CandidateReport {
  readonly iteration: number;
  readonly index: number;
  /** The candidate function's code (what the model proposed, extracted). Empty if none. */
  readonly code: string;
  /** The whole module with the candidate spliced in (what would be written on Accept). */
  readonly moduleText?: string;
  readonly status: SandboxStatus | 'no_code' | 'duplicate' | 'model_error';
  readonly verdict: CandidateVerdict;
  readonly measurement?: Measurement;
  readonly failures?: readonly TestFailure[];
  /** Ratios vs the baseline: > 1 is better (baseline / candidate). */
  readonly speedup?: number;
  readonly memoryRatio?: number;
  readonly integralRatio?: number;
  readonly explanation?: CandidateExplanation;
  /** Lines changed against the original function (the size of the diff a user reviews). */
  readonly changedLines?: number;
}

export interface BestSoFar {
  /** 0 = the original. */
  readonly iteration: number;
  readonly code: string;
  readonly moduleText: string;
  readonly measurement: Measurement;
  readonly speedup: number;
  readonly memoryRatio: number;
  readonly integralRatio: number;
  readonly explanation?: CandidateExplanation;
  readonly changedLines?: number;
}

/**
 * Which rule ended a run: every requested iteration ran; the plateau patience ran out; the model
 * refused the credentials or the request; the original could not be measured; the user cancelled;
 * the run broke off on an unexpected error (reported by the host, not the loop).
 */
export type StopRule = 'completed' | 'plateau' | 'model_unusable' | 'original_failed' | 'cancelled' | 'error';

export type LoopEvent =
  | {
      readonly type: 'started';
      readonly sandbox: string;
      readonly isolation: string;
      readonly model: string;
      readonly goal: Goal;
    }
  | { readonly type: 'baseline'; readonly result: SandboxResult }
  | { readonly type: 'iterationStarted'; readonly iteration: number }
  | { readonly type: 'modelText'; readonly iteration: number; readonly text: string }
  | { readonly type: 'candidateProposed'; readonly iteration: number; readonly index: number; readonly code: string }
  | { readonly type: 'candidateMeasured'; readonly candidate: CandidateReport }
  | { readonly type: 'iterationDone'; readonly iteration: number; readonly best: BestSoFar }
  | {
      readonly type: 'finished';
      readonly outcome: 'improved' | 'no_improvement' | 'failed' | 'cancelled';
      readonly reason: string;
      readonly stop: StopRule;
      readonly best?: BestSoFar;
    };

/** Milliseconds from an arbitrary origin; injected so the loop's timings are testable. */
export interface Clock {
  now(): number;
}
