/**
 * The `optimize` JSON of the CLI contract (design.md), folded from loop events. The contract's
 * names and meanings are fixed (status, baseline, iterations[].candidates[], best); the fields
 * after them are extras.
 */
import { formatKb, formatMs } from '../shared/format';
import type { BestSoFar, CandidateExplanation, CandidateReport, Goal, LoopEvent, StopRule } from '../core/loopTypes';
import { changeWords, memoryWords, speedAgainst, speedWords } from '../core/changeWords';
import { IN_PLACE_DECIDES } from '../core/acceptance';
import type { Language, Measurement, TestFailure } from '../core/sandboxTypes';
import type { InterpreterPlan } from './interpreterJson';
import { memoryJson, toProfileJson, type ProfileJson } from './profileJson';

export type OptimizeStatus = 'improved' | 'no_improvement' | 'failed';

interface RuntimeJson {
  readonly median: number;
  readonly min: number;
  readonly mean: number;
  readonly cv: number;
  readonly samples: number;
}

/** `runtime_ms` is per round of the recorded calls; this is per call (÷ calls). */
interface PerCallJson {
  readonly median: number;
  readonly min: number;
  readonly mean: number;
}

export interface CandidateJson {
  readonly status: CandidateReport['status'];
  readonly accepted: boolean;
  readonly reason: string;
  readonly runtime_ms: RuntimeJson | null;
  readonly peak_memory_kb: number | null;
  readonly integral_kb_ms: number | null;
  readonly code: string;
  // Extras.
  readonly runtime_per_call_ms?: PerCallJson;
  readonly calls?: number;
  readonly index: number;
  readonly speedup?: number;
  readonly memory_ratio?: number;
  readonly integral_ratio?: number;
  readonly failures?: readonly TestFailure[];
  /** The model's words around its code, and what the measurements show. */
  readonly explanation?: ExplanationJson;
  /** Lines changed against the original function. */
  readonly changed_lines?: number;
  /** The ratios in words: "2.4× faster", "peak memory 5.4× higher". */
  readonly summary?: string;
}

export interface ExplanationJson {
  readonly model: string | null;
  readonly measured: readonly string[];
}

export interface IterationJson {
  readonly index: number;
  readonly candidates: CandidateJson[];
}

export interface BestJson {
  readonly iteration: number;
  readonly code: string;
  readonly speedup: number;
  readonly memory_ratio: number;
  // Extras.
  readonly integral_ratio: number;
  readonly runtime_ms: RuntimeJson;
  readonly runtime_per_call_ms?: PerCallJson;
  readonly calls?: number;
  /** Null when the memory could not be measured. */
  readonly peak_memory_kb: number | null;
  readonly integral_kb_ms: number | null;
  readonly explanation?: ExplanationJson;
  readonly changed_lines?: number;
  readonly summary: string;
}

export interface OptimizeJson {
  readonly status: OptimizeStatus;
  /** Null only when the sandbox could not run the original at all. */
  readonly baseline: ProfileJson | null;
  readonly iterations: IterationJson[];
  /** The original (iteration 0) when nothing beat it; null when the original failed. */
  readonly best: BestJson | null;
  // Extras.
  readonly message: string;
  /** Which rule ended the run: completed, plateau, model_unusable, original_failed, cancelled. */
  readonly stop: StopRule | null;
  readonly goal: Goal;
  readonly model: string;
  readonly cancelled: boolean;
  readonly written: boolean;
  /** With an input generator: how the best's time and memory grow against the original's. */
  readonly growth?: string;
  readonly file?: string;
}

export interface OptimizeSubject {
  readonly language: Language;
  readonly functionName: string;
  readonly file?: string;
  readonly goal: Goal;
  /** Python jobs: how the interpreter was chosen. */
  readonly interpreter?: InterpreterPlan;
}

/** Folds loop events into the contract's JSON. */
export class OptimizeJsonBuilder {
  private baseline: ProfileJson | null = null;
  private readonly iterations: IterationJson[] = [];
  private best: BestSoFar | undefined;
  private model = '';
  private outcome: Extract<LoopEvent, { type: 'finished' }>['outcome'] | undefined;
  private message = '';
  private stop: StopRule | null = null;
  private growth: string | undefined;

  constructor(private readonly subject: OptimizeSubject) {}

  add(event: LoopEvent): void {
    switch (event.type) {
      case 'started':
        this.model = event.model;
        break;
      case 'baseline':
        this.baseline = toProfileJson(event.result, {
          language: this.subject.language,
          functionName: this.subject.functionName,
          ...(this.subject.file !== undefined ? { file: this.subject.file } : {}),
          ...(this.subject.interpreter !== undefined ? { interpreter: this.subject.interpreter } : {}),
        });
        break;
      case 'iterationStarted':
        this.iterations.push({ index: event.iteration, candidates: [] });
        break;
      case 'candidateMeasured':
        this.iterationOf(event.candidate.iteration).candidates.push(candidateJson(event.candidate));
        break;
      case 'iterationDone':
        this.best = event.best;
        break;
      case 'finished':
        this.outcome = event.outcome;
        this.message = event.reason;
        this.stop = event.stop;
        if (event.best) this.best = event.best;
        break;
      case 'modelText':
      case 'candidateProposed':
        break;
    }
  }

  /** The measured growth change of the best over the original ("time ≈ n² → n, …"). */
  addGrowth(change: string): void {
    this.growth = change;
  }

  build(written = false): OptimizeJson {
    const status: OptimizeStatus =
      this.outcome === 'failed' && (this.best === undefined || this.best.iteration === 0)
        ? 'failed'
        : this.best !== undefined && this.best.iteration > 0
          ? 'improved'
          : this.outcome === undefined || (this.outcome === 'cancelled' && this.best === undefined)
            ? 'failed'
            : 'no_improvement';
    return {
      status,
      baseline: this.baseline,
      iterations: this.iterations,
      best: this.best ? bestJson(this.best, this.growth) : null,
      ...(this.growth !== undefined ? { growth: this.growth } : {}),
      message: this.message,
      stop: this.stop,
      goal: this.subject.goal,
      model: this.model,
      cancelled: this.outcome === 'cancelled',
      written,
      ...(this.subject.file !== undefined ? { file: this.subject.file } : {}),
    };
  }

  private iterationOf(index: number): IterationJson {
    let iteration = this.iterations.find((i) => i.index === index);
    if (!iteration) {
      iteration = { index, candidates: [] };
      this.iterations.push(iteration);
    }
    return iteration;
  }
}

function runtimeJson(m: Measurement): RuntimeJson {
  const r = m.runtimeMs;
  return { median: r.median, min: r.min, mean: r.mean, cv: r.cv, samples: r.samples };
}

function perCall(m: Measurement): { runtime_per_call_ms?: PerCallJson; calls?: number } {
  if (!(m.calls > 0)) return {};
  const r = m.runtimeMs;
  return {
    runtime_per_call_ms: { median: r.median / m.calls, min: r.min / m.calls, mean: r.mean / m.calls },
    calls: m.calls,
  };
}

function candidateJson(c: CandidateReport): CandidateJson {
  const m = c.measurement;
  return {
    status: c.status,
    accepted: c.verdict.kind === 'accepted',
    reason: c.verdict.reason,
    runtime_ms: m ? runtimeJson(m) : null,
    ...memoryJson(m),
    code: c.code,
    ...(m ? perCall(m) : {}),
    index: c.index,
    ...(c.speedup !== undefined ? { speedup: c.speedup } : {}),
    ...(c.memoryRatio !== undefined ? { memory_ratio: c.memoryRatio } : {}),
    ...(c.integralRatio !== undefined ? { integral_ratio: c.integralRatio } : {}),
    ...(c.failures ? { failures: c.failures } : {}),
    ...(c.explanation ? { explanation: explanationJson(c.explanation) } : {}),
    ...(c.changedLines !== undefined ? { changed_lines: c.changedLines } : {}),
    ...(c.speedup !== undefined ? { summary: changeWords(c.speedup, c.memoryRatio) } : {}),
  };
}

function explanationJson(e: CandidateExplanation): ExplanationJson {
  return { model: e.model ?? null, measured: e.measured };
}

function bestJson(b: BestSoFar, growth: string | undefined): BestJson {
  const explanation: CandidateExplanation | undefined =
    growth === undefined || b.iteration === 0
      ? b.explanation
      : { ...b.explanation, measured: [growth, ...(b.explanation?.measured ?? [])] };
  return {
    iteration: b.iteration,
    code: b.code,
    speedup: b.speedup,
    memory_ratio: b.memoryRatio,
    integral_ratio: b.integralRatio,
    runtime_ms: runtimeJson(b.measurement),
    ...perCall(b.measurement),
    ...memoryJson(b.measurement),
    ...(explanation ? { explanation: explanationJson(explanation) } : {}),
    ...(b.changedLines !== undefined ? { changed_lines: b.changedLines } : {}),
    summary: changeWords(b.speedup, b.memoryRatio),
  };
}

/** The time the verdict rests on: the replayed round, or a run of the tests timed in place when those decide. */
function candidateTime(m: Measurement): string {
  const inPlace = m.inPlace;
  return inPlace && inPlace.share >= IN_PLACE_DECIDES
    ? `${formatMs(inPlace.runtimeMs.median)} a run in place`
    : formatMs(m.runtimeMs.median);
}

/** One stderr line per loop event worth telling (none for streamed text). */
export function progressLine(event: LoopEvent, totalIterations: number): string | undefined {
  switch (event.type) {
    case 'started':
      return `model: ${event.model}; sandbox: ${event.isolation}; goal: ${event.goal}`;
    case 'baseline': {
      const r = event.result;
      if (r.kind !== 'passed' || !r.measurement) return `original: ${r.kind}`;
      return `original: ${r.tests.passed} test(s) passed; ${formatMs(r.measurement.runtimeMs.median)} median (CV ${(r.measurement.runtimeMs.cv * 100).toFixed(1)} %), ${r.measurement.memoryUnmeasured ? 'memory not measured' : `${formatKb(r.measurement.peakMemoryKb)} peak`}`;
    }
    case 'iterationStarted':
      return `iteration ${event.iteration}/${totalIterations}: asking the model…`;
    case 'candidateMeasured': {
      const c = event.candidate;
      const numbers = c.measurement
        ? ` ${candidateTime(c.measurement)}, ${speedAgainst(c.speedup ?? 1, 'the original')}, ${memoryWords(c.memoryRatio ?? 1)};`
        : '';
      return `  candidate ${c.iteration}.${c.index}: ${c.status};${numbers} ${c.verdict.reason}`;
    }
    case 'iterationDone':
      return `iteration ${event.iteration} done: best is ${event.best.iteration === 0 ? 'the original' : `from iteration ${event.best.iteration} (${speedWords(event.best.speedup)})`}`;
    case 'finished':
      return `${event.outcome}: ${event.reason}`;
    case 'modelText':
    case 'candidateProposed':
      return undefined;
  }
}
