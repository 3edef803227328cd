/**
 * Training data from the user's own measured runs (opt-in, local files only): the run-history
 * record format, the (slower, faster) pairs of code that both passed, their SFT and DPO lines, and
 * the GRPO-style reward our measurements give a candidate.
 *
 * History format: one JSON `RunHistoryRecord` per line (JSONL), appended by the CLI and the
 * extension when the user sets AFTERBURNER_HISTORY=path (or opts in to the workspace default
 * `.afterburner/history.jsonl`). Nothing leaves the machine.
 */
import { DEFAULT_TIE_RULE, withinNoise, type TieRule } from './evalMetrics';
import type { Goal, LoopEvent, OptimizeRequest } from './loopTypes';
import type { Language, Measurement, SandboxStatus } from './sandboxTypes';

export const HISTORY_VERSION = 1;

/** The figures of one attempt that passed, as measured in the run. */
export interface AttemptFigures {
  readonly runtimeMs: number;
  /** Coefficient of variation of the runtime samples, for the noise rule. */
  readonly runtimeCv: number;
  readonly peakMemoryKb: number;
  readonly integralKbMs: number;
  /** Memory could not be measured: the two memory figures are placeholders, never compared. */
  readonly memoryUnmeasured?: true;
}

/** One piece of code tried in a run: the original (iteration 0) or a candidate. */
export interface HistoryAttempt {
  readonly iteration: number;
  readonly index: number;
  readonly code: string;
  readonly status: SandboxStatus | 'no_code' | 'duplicate' | 'model_error';
  /** Present exactly when the attempt passed and was measured. */
  readonly figures?: AttemptFigures;
}

export interface RunHistoryRecord {
  readonly version: typeof HISTORY_VERSION;
  /** Unique per run (the writer picks it, e.g. time + random). */
  readonly id: string;
  /** ISO 8601 time the run finished. */
  readonly at: string;
  readonly source: 'cli' | 'extension' | 'eval';
  readonly language: Language;
  /** `name` or `Class.method`. */
  readonly target: string;
  readonly goal: Goal;
  /** The model that proposed the candidates, as described by the adapter. */
  readonly model?: string;
  /** What the code must do: a problem description or the function's surrounding context. */
  readonly task?: string;
  readonly attempts: readonly HistoryAttempt[];
}

export function figuresFromMeasurement(m: Measurement): AttemptFigures {
  return {
    runtimeMs: m.runtimeMs.median,
    runtimeCv: m.runtimeMs.cv,
    peakMemoryKb: m.peakMemoryKb,
    integralKbMs: m.integralKbMs,
    ...(m.memoryUnmeasured ? { memoryUnmeasured: true as const } : {}),
  };
}

export interface RunMeta {
  readonly id: string;
  readonly at: string;
  readonly source: RunHistoryRecord['source'];
  readonly model?: string;
  readonly task?: string;
  /** The original function's code; taken from the iteration-0 best when absent. */
  readonly originalCode?: string;
}

/** Build the history record of one `optimize()` run from its events (what the CLI and extension see). */
export function runHistoryRecord(
  request: OptimizeRequest,
  events: readonly LoopEvent[],
  meta: RunMeta,
): RunHistoryRecord {
  const attempts: HistoryAttempt[] = [];
  let originalCode = meta.originalCode;
  let baseline: HistoryAttempt | undefined;
  for (const event of events) {
    if (event.type === 'baseline') {
      const r = event.result;
      baseline = {
        iteration: 0,
        index: 0,
        code: '',
        status: r.kind,
        ...(r.kind === 'passed' && r.measurement ? { figures: figuresFromMeasurement(r.measurement) } : {}),
      };
    } else if (event.type === 'iterationDone' && event.best.iteration === 0 && originalCode === undefined) {
      originalCode = event.best.code;
    } else if (event.type === 'candidateMeasured') {
      const c = event.candidate;
      attempts.push({
        iteration: c.iteration,
        index: c.index,
        code: c.code,
        status: c.status,
        ...(c.status === 'passed' && c.measurement ? { figures: figuresFromMeasurement(c.measurement) } : {}),
      });
    }
  }
  const module = request.files.find((f) => f.path === request.modulePath)?.content ?? '';
  const all = baseline ? [{ ...baseline, code: originalCode ?? module }, ...attempts] : attempts;
  return {
    version: HISTORY_VERSION,
    id: meta.id,
    at: meta.at,
    source: meta.source,
    language: request.language.id,
    target: request.target,
    goal: request.goal,
    ...(meta.model !== undefined ? { model: meta.model } : {}),
    ...(meta.task !== undefined ? { task: meta.task } : {}),
    attempts: all,
  };
}

/** Parse one history line; a malformed or foreign line gives a reason instead of throwing. */
export function parseHistoryLine(
  line: string,
):
  | { readonly kind: 'record'; readonly record: RunHistoryRecord }
  | { readonly kind: 'invalid'; readonly reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { kind: 'invalid', reason: 'not an object' };
  const r = value as Partial<RunHistoryRecord>;
  if (r.version !== HISTORY_VERSION) return { kind: 'invalid', reason: `unknown version ${String(r.version)}` };
  if (typeof r.target !== 'string' || typeof r.language !== 'string' || !Array.isArray(r.attempts)) {
    return { kind: 'invalid', reason: 'missing target, language or attempts' };
  }
  const goal: Goal = r.goal === 'memory' || r.goal === 'integral' ? r.goal : 'time';
  return { kind: 'record', record: { ...(r as RunHistoryRecord), goal } };
}

/** The figure `goal` compares, NaN when it was not measured (so no comparison holds). */
export function goalValue(f: AttemptFigures, goal: Goal): number {
  if (goal !== 'time' && f.memoryUnmeasured) return Number.NaN;
  return goal === 'time' ? f.runtimeMs : goal === 'memory' ? f.peakMemoryKb : f.integralKbMs;
}

/** A slower and a faster version of the same function, both passing, with the measured gain. */
export interface CodePair {
  readonly recordId: string;
  readonly language: Language;
  readonly target: string;
  readonly goal: Goal;
  readonly task?: string;
  readonly slower: HistoryAttempt & { readonly figures: AttemptFigures };
  readonly faster: HistoryAttempt & { readonly figures: AttemptFigures };
  /** slower / faster on the goal metric (2 = twice as fast, or half the memory). */
  readonly gain: number;
}

export interface PairOptions {
  /** Only pairs whose gain is at least this ratio (and beyond the noise rule). Default 1.05. */
  readonly minGain?: number;
  readonly tieRule?: TieRule;
}

/**
 * Every (slower, faster) pair of distinct passing attempts of one run whose difference on the
 * run's goal is beyond measurement noise (evalMetrics' tie rule) and at least `minGain`.
 * Pairs across runs are never made: their measurements come from different machines or moments.
 */
export function pairsFromRecord(record: RunHistoryRecord, options: PairOptions = {}): CodePair[] {
  const minGain = options.minGain ?? 1.05;
  const rule = options.tieRule ?? DEFAULT_TIE_RULE;
  const passing = uniqueByCode(
    record.attempts.filter(
      (a): a is HistoryAttempt & { figures: AttemptFigures } =>
        a.status === 'passed' && a.figures !== undefined && a.code.trim() !== '',
    ),
  );
  const pairs: CodePair[] = [];
  for (const slower of passing) {
    for (const faster of passing) {
      if (slower === faster) continue;
      const s = goalValue(slower.figures, record.goal);
      const f = goalValue(faster.figures, record.goal);
      if (!(f > 0) || !(s > f)) continue;
      const cv = record.goal === 'time' ? [slower.figures.runtimeCv, faster.figures.runtimeCv] : [0, 0];
      if (withinNoise(s, f, cv[0] as number, cv[1] as number, rule)) continue;
      const gain = s / f;
      if (gain < minGain) continue;
      pairs.push({
        recordId: record.id,
        language: record.language,
        target: record.target,
        goal: record.goal,
        ...(record.task !== undefined ? { task: record.task } : {}),
        slower,
        faster,
        gain,
      });
    }
  }
  return pairs;
}

function uniqueByCode<T extends HistoryAttempt>(attempts: readonly T[]): T[] {
  const seen = new Set<string>();
  return attempts.filter((a) => {
    const key = a.code.trim();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const GOAL_WORDS: Record<Goal, string> = {
  time: 'run faster',
  memory: 'use less peak memory',
  integral: 'use less memory over time (memory-time integral)',
};

/** The prompt shared by the SFT and DPO lines: task, the slower code and its measurements. */
export function pairPrompt(pair: CodePair): string {
  const f = pair.slower.figures;
  return [
    pair.task ? `Task:\n${pair.task}\n` : '',
    `Rewrite the ${pair.language} function \`${pair.target}\` so that it ${GOAL_WORDS[pair.goal]}, with exactly the same behaviour.`,
    f.memoryUnmeasured
      ? `Measured: runtime ${round(f.runtimeMs)} ms; memory not measured.`
      : `Measured: runtime ${round(f.runtimeMs)} ms, peak memory ${round(f.peakMemoryKb)} kB, memory-time integral ${round(f.integralKbMs)} kB·ms.`,
    '',
    '```' + pair.language,
    pair.slower.code.trimEnd(),
    '```',
  ]
    .filter((line, i) => i !== 0 || line !== '')
    .join('\n');
}

export interface SftLine {
  readonly prompt: string;
  readonly completion: string;
  readonly gain: number;
}

export interface DpoLine {
  readonly prompt: string;
  readonly chosen: string;
  readonly rejected: string;
  readonly gain: number;
}

export function sftLine(pair: CodePair): SftLine {
  return { prompt: pairPrompt(pair), completion: fenced(pair.language, pair.faster.code), gain: pair.gain };
}

/** DPO: the faster version is chosen over the slower one, given the same prompt. */
export function dpoLine(pair: CodePair): DpoLine {
  return {
    prompt: pairPrompt(pair),
    chosen: fenced(pair.language, pair.faster.code),
    rejected: fenced(pair.language, pair.slower.code),
    gain: pair.gain,
  };
}

function fenced(language: string, code: string): string {
  return '```' + language + '\n' + code.trimEnd() + '\n```';
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}

export type RewardOutcome = { readonly passed: false } | { readonly passed: true; readonly figures: AttemptFigures };

/**
 * The GRPO-style reward our measurements give a candidate relative to its baseline on `goal`:
 *   r = −1                                 if the candidate fails (tests, differential check, limits);
 *   r = +1                                 if the baseline failed and the candidate passes;
 *   r = clip(ln(baseline / candidate), −1, 1)   otherwise, on the goal metric,
 *   r = 0                                  when either side's goal metric was not measured,
 * so a 2× speed-up earns ln 2 ≈ 0.69, a 2× slow-down −0.69, and any gain beyond e× saturates at 1.
 * Bounded, symmetric in ratio, and a failure is always worse than any passing candidate.
 */
export function grpoReward(goal: Goal, baseline: RewardOutcome, candidate: RewardOutcome): number {
  if (!candidate.passed) return -1;
  if (!baseline.passed) return 1;
  const b = goalValue(baseline.figures, goal);
  const c = goalValue(candidate.figures, goal);
  // Memory that could not be measured reads 0: taken at its word it would be "allocated nothing".
  if (Number.isNaN(b) || Number.isNaN(c)) return 0;
  if (!(c > 0)) return b > 0 ? 1 : 0;
  if (!(b > 0)) return -1;
  return Math.max(-1, Math.min(1, Math.log(b / c)));
}
