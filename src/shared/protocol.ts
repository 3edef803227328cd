/**
 * The one protocol between the extension host and the panel webview.
 *
 * The host sends the whole panel view model (`state`) after the webview says `ready` and whenever
 * it changes; the webview keeps nothing the host cannot re-send, so the view may be hidden or
 * reloaded at any time. The webview sends intents about a run it was shown, never a command name:
 * the host validates every message with `parseFromWebviewMessage` before acting on it.
 */
import type { ComplexityClass } from '../core/complexityFit';
import type { Goal } from '../core/loopTypes';
import type { Language, SandboxStatus } from '../core/sandboxTypes';

export type RunKind = 'optimize' | 'profile';

/** `interrupted`: the window closed or reloaded while the run was going. */
export type RunPhase = 'running' | 'improved' | 'no_improvement' | 'failed' | 'cancelled' | 'profiled' | 'interrupted';

/** One measurement, reduced to what the panel draws (no raw samples). */
export interface MeasureView {
  readonly medianMs: number;
  /** The 10th percentile of the samples: what separate profiles compare by (RuntimeStats.p10). */
  readonly p10Ms?: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly meanMs: number;
  /** Coefficient of variation, a fraction. */
  readonly cv: number;
  readonly samples: number;
  readonly peakMemoryKb: number;
  readonly integralKbMs: number;
  /** The memory could not be measured (the notes say why): the two figures above are no figures. */
  readonly memoryUnmeasured?: true;
  /** Recorded calls in one round: the runtimes above are per round; ÷ calls is per call. */
  readonly calls?: number;
  /**
   * 'inPlace' when no call could be recorded: a "round" above is one run of the tests making the
   * calls, timed in place, and `calls` the calls of such a run.
   */
  readonly basis?: 'inPlace';
}

export interface FailureView {
  readonly test: string;
  readonly message: string;
}

export interface BaselineView {
  readonly status: SandboxStatus;
  readonly tests?: { readonly passed: number; readonly failed: number };
  readonly measure?: MeasureView;
  readonly failures: readonly FailureView[];
  /** A sentence for statuses other than passed. */
  readonly message?: string;
  /** What the harness said besides the verdict: calls recorded of those made, calls skipped and why. */
  readonly notes?: readonly string[];
  /** Only when the machine was busy during the run: "machine busy: load 5.2 on 2 cores — …". */
  readonly busyNote?: string;
}

export type CandidateStatus = 'measuring' | SandboxStatus | 'no_code' | 'duplicate' | 'model_error';

export interface CandidateView {
  readonly index: number;
  readonly status: CandidateStatus;
  readonly verdict: 'pending' | 'accepted' | 'rejected';
  readonly reason: string;
  readonly measure?: MeasureView;
  /** Baseline / candidate: > 1 is better. */
  readonly speedup?: number;
  readonly memoryRatio?: number;
  readonly integralRatio?: number;
  readonly failures: readonly FailureView[];
  /** Whether there is code to diff. */
  readonly hasCode: boolean;
  readonly linesAdded?: number;
  readonly linesRemoved?: number;
  /** The ratios in words with their direction: "2.4× faster, peak memory 5.4× higher". */
  readonly changeWords?: string;
  readonly explanation?: ExplanationView;
}

/** Why a candidate is faster: the model's words around its code, and the measured facts. */
export interface ExplanationView {
  readonly model?: string;
  readonly measured: readonly string[];
}

/** What the user did with an iteration's code. */
export type Decision = 'undecided' | 'applied' | 'dismissed';

export interface BestView {
  /** 0 = the original. */
  readonly iteration: number;
  readonly medianMs: number;
  readonly speedup: number;
  readonly memoryRatio: number;
  readonly integralRatio: number;
  /** The ratios in words with their direction, against the original. */
  readonly changeWords?: string;
}

export interface IterationView {
  readonly iteration: number;
  readonly done: boolean;
  readonly candidates: readonly CandidateView[];
  /** Characters the model has streamed so far in this iteration. */
  readonly modelChars: number;
  /** Best so far once this iteration is done. */
  readonly best?: BestView;
  /** The candidate this iteration offers for Accept: its best accepted one, if any. */
  readonly offered?: number;
  readonly decision: Decision;
}

/** One measured size: median runtime of one call at that size and its peak memory. */
export interface GrowthPoint {
  readonly size: number;
  readonly runtimeMs: number;
  readonly peakMemoryKb: number;
}

/** The complexity class fitted to one series of points (src/core/complexityFit.ts). */
export type GrowthFit =
  | {
      readonly kind: 'fit';
      readonly complexity: ComplexityClass;
      readonly label: string;
      readonly relativeError: number;
    }
  | { readonly kind: 'insufficient'; readonly reason: string };

/** The original function, or the run's best candidate. */
export type GrowthVersion = 'original' | 'best';

export type GrowthSeries =
  | { readonly kind: 'measuring'; readonly version: GrowthVersion; readonly label: string }
  | {
      readonly kind: 'measured';
      readonly version: GrowthVersion;
      readonly label: string;
      readonly points: readonly GrowthPoint[];
      readonly time: GrowthFit;
      readonly memory: GrowthFit;
    }
  /** The generator raised, a size ran past a limit, or the version did not pass: `message` says which. */
  | { readonly kind: 'failed'; readonly version: GrowthVersion; readonly label: string; readonly message: string };

/** Empirical complexity of a run: size → time and size → memory of each version, with fitted classes. */
export interface GrowthView {
  readonly status: 'measuring' | 'done' | 'cancelled' | 'interrupted';
  readonly sizes: readonly number[];
  readonly series: readonly GrowthSeries[];
  /** One line, e.g. "time ≈ n², best ≈ n; memory ≈ n, best ≈ n". */
  readonly summary: string;
}

export interface RunView {
  readonly id: string;
  readonly kind: RunKind;
  /** `name` or `Class.method`. */
  readonly functionName: string;
  /** Workspace-relative path of the file, for display. */
  readonly fileLabel: string;
  readonly language: Language;
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly phase: RunPhase;
  /** What is happening now, or how the run ended: a sentence. */
  readonly message: string;
  readonly sandbox?: string;
  readonly isolation?: string;
  /** Python runs: the interpreter that ran, "path (version)", once the sandbox said. */
  readonly interpreter?: string;
  /** Python runs: why that interpreter (the setting, the Python extension, the project's .venv, the image, …). */
  readonly interpreterOrigin?: string;
  readonly model?: string;
  readonly goal?: Goal;
  readonly iterationsPlanned?: number;
  readonly baseline?: BaselineView;
  readonly iterations: readonly IterationView[];
  readonly best?: BestView;
  /** Present when sizes were measured with an input generator. */
  readonly growth?: GrowthView;
}

export interface RunSummary {
  readonly id: string;
  readonly kind: RunKind;
  readonly functionName: string;
  readonly fileLabel: string;
  readonly startedAt: number;
  readonly phase: RunPhase;
  /** The best's change against the original in words ("2.4× faster, peak memory 62 % lower"), if it beat it. */
  readonly bestWords?: string;
}

export interface PanelState {
  /** The run on display, live or reopened. */
  readonly run?: RunView;
  /** Past and present runs of this workspace, newest first. */
  readonly history: readonly RunSummary[];
}

/** One ranked function of the Hot functions section (see src/core/hotspots.ts for the meanings). */
export interface HotFunctionView {
  readonly file: string;
  readonly function: string;
  readonly line: number;
  readonly totalMs: number;
  readonly selfMs: number;
  readonly calls: number;
  /** Fraction of the tests' time, 0..1. */
  readonly share: number;
}

export interface HotspotsLanguageView {
  readonly language: Language;
  readonly status: 'passed' | 'failed' | 'timeout' | 'memory_limit' | 'crashed' | 'error';
  readonly tests: { readonly passed: number; readonly failed: number };
  readonly testMs: number;
  readonly message: string;
  readonly functions: readonly HotFunctionView[];
}

/** The Hot functions section: the last search for hot functions in a folder of the workspace. */
export interface HotspotsView {
  readonly status: 'running' | 'done' | 'cancelled' | 'error';
  readonly folder: string;
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly message: string;
  readonly languages: readonly HotspotsLanguageView[];
}

export type HotspotAction = 'open' | 'profile' | 'optimize';

export type ToWebviewMessage =
  | { readonly type: 'state'; readonly state: PanelState }
  | { readonly type: 'hotspots'; readonly hotspots: HotspotsView | null };

export type FromWebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'showDiff'; readonly runId: string; readonly iteration: number; readonly candidate: number }
  | { readonly type: 'accept'; readonly runId: string; readonly iteration: number; readonly candidate: number }
  | { readonly type: 'reject'; readonly runId: string; readonly iteration: number }
  | { readonly type: 'cancelRun'; readonly runId: string }
  | { readonly type: 'openRun'; readonly runId: string }
  | { readonly type: 'openTests'; readonly runId: string }
  | { readonly type: 'findHotspots' }
  | { readonly type: 'cancelHotspots' }
  /** `language` and `index` point into the HotspotsView the host sent last. */
  | { readonly type: 'hotspot'; readonly action: HotspotAction; readonly language: number; readonly index: number };

export type ParsedMessage =
  { readonly kind: 'ok'; readonly message: FromWebviewMessage } | { readonly kind: 'invalid'; readonly reason: string };

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_INDEX = 10_000;

/** Checks an untrusted message from the webview; anything unexpected is refused with a reason. */
export function parseFromWebviewMessage(raw: unknown): ParsedMessage {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid('not an object');
  const data = raw as Record<string, unknown>;
  const type = data['type'];
  switch (type) {
    case 'ready':
      return onlyKeys(data, ['type']) ?? ok({ type });
    case 'showDiff':
    case 'accept': {
      const extra = onlyKeys(data, ['type', 'runId', 'iteration', 'candidate']);
      if (extra) return extra;
      const runId = runIdOf(data);
      const iteration = indexOf(data, 'iteration');
      const candidate = indexOf(data, 'candidate');
      if (runId === undefined || iteration === undefined || candidate === undefined)
        return invalid(`bad ${type} fields`);
      return ok({ type, runId, iteration, candidate });
    }
    case 'reject': {
      const extra = onlyKeys(data, ['type', 'runId', 'iteration']);
      if (extra) return extra;
      const runId = runIdOf(data);
      const iteration = indexOf(data, 'iteration');
      if (runId === undefined || iteration === undefined) return invalid('bad reject fields');
      return ok({ type, runId, iteration });
    }
    case 'cancelRun':
    case 'openRun':
    case 'openTests': {
      const extra = onlyKeys(data, ['type', 'runId']);
      if (extra) return extra;
      const runId = runIdOf(data);
      if (runId === undefined) return invalid(`bad ${type} runId`);
      return ok({ type, runId });
    }
    case 'findHotspots':
    case 'cancelHotspots':
      return onlyKeys(data, ['type']) ?? ok({ type });
    case 'hotspot': {
      const extra = onlyKeys(data, ['type', 'action', 'language', 'index']);
      if (extra) return extra;
      const action = data['action'];
      const language = indexOf(data, 'language');
      const index = indexOf(data, 'index');
      if (
        (action !== 'open' && action !== 'profile' && action !== 'optimize') ||
        language === undefined ||
        index === undefined
      )
        return invalid('bad hotspot fields');
      return ok({ type, action, language, index });
    }
    default:
      return invalid(`unknown message type ${JSON.stringify(type)?.slice(0, 40) ?? 'undefined'}`);
  }
}

function ok(message: FromWebviewMessage): ParsedMessage {
  return { kind: 'ok', message };
}

function invalid(reason: string): ParsedMessage {
  return { kind: 'invalid', reason };
}

function onlyKeys(data: Record<string, unknown>, allowed: readonly string[]): ParsedMessage | undefined {
  const unexpected = Object.keys(data).find((key) => !allowed.includes(key));
  return unexpected === undefined ? undefined : invalid(`unexpected field ${unexpected.slice(0, 40)}`);
}

function runIdOf(data: Record<string, unknown>): string | undefined {
  const value = data['runId'];
  return typeof value === 'string' && RUN_ID.test(value) ? value : undefined;
}

function indexOf(data: Record<string, unknown>, key: string): number | undefined {
  const value = data[key];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_INDEX ? value : undefined;
}

const MAX_GROWTH_SIZES = 64;
const MAX_GROWTH_SERIES = 4;
const MAX_GROWTH_TEXT = 4000;
const GROWTH_STATUSES: readonly GrowthView['status'][] = ['measuring', 'done', 'cancelled', 'interrupted'];
const COMPLEXITY_NAMES: readonly ComplexityClass[] = ['1', 'log n', 'n', 'n log n', 'n^2', 'n^3', '2^n'];

/**
 * Checks a growth view read back from storage (a past run saved by another version may hold
 * anything): the view if every field has its type and bounds, else undefined.
 */
export function parseGrowthView(raw: unknown): GrowthView | undefined {
  const data = record(raw);
  if (!data) return undefined;
  const status = data['status'];
  const sizes = data['sizes'];
  const series = data['series'];
  const summary = data['summary'];
  if (!GROWTH_STATUSES.includes(status as GrowthView['status'])) return undefined;
  if (
    !Array.isArray(sizes) ||
    sizes.length > MAX_GROWTH_SIZES ||
    !sizes.every((n) => Number.isInteger(n) && (n as number) > 0)
  )
    return undefined;
  if (!Array.isArray(series) || series.length > MAX_GROWTH_SERIES || !isText(summary)) return undefined;
  const parsed = series.map(parseGrowthSeries);
  if (parsed.some((s) => s === undefined)) return undefined;
  return {
    status: status as GrowthView['status'],
    sizes: sizes as number[],
    series: parsed as GrowthSeries[],
    summary,
  };
}

function parseGrowthSeries(raw: unknown): GrowthSeries | undefined {
  const data = record(raw);
  if (!data) return undefined;
  const version = data['version'];
  const label = data['label'];
  if ((version !== 'original' && version !== 'best') || !isText(label)) return undefined;
  switch (data['kind']) {
    case 'measuring':
      return { kind: 'measuring', version, label };
    case 'failed':
      return isText(data['message']) ? { kind: 'failed', version, label, message: data['message'] } : undefined;
    case 'measured': {
      const points = data['points'];
      if (!Array.isArray(points) || points.length > MAX_GROWTH_SIZES) return undefined;
      const parsedPoints = points.map(parseGrowthPoint);
      const time = parseGrowthFit(data['time']);
      const memory = parseGrowthFit(data['memory']);
      if (parsedPoints.some((p) => p === undefined) || !time || !memory) return undefined;
      return { kind: 'measured', version, label, points: parsedPoints as GrowthPoint[], time, memory };
    }
    default:
      return undefined;
  }
}

function parseGrowthPoint(raw: unknown): GrowthPoint | undefined {
  const data = record(raw);
  if (!data) return undefined;
  const { size, runtimeMs, peakMemoryKb } = data;
  if (!Number.isInteger(size) || (size as number) <= 0 || !isNonNegative(runtimeMs) || !isNonNegative(peakMemoryKb))
    return undefined;
  return { size: size as number, runtimeMs, peakMemoryKb };
}

function parseGrowthFit(raw: unknown): GrowthFit | undefined {
  const data = record(raw);
  if (!data) return undefined;
  if (data['kind'] === 'insufficient')
    return isText(data['reason']) ? { kind: 'insufficient', reason: data['reason'] } : undefined;
  const { complexity, label, relativeError } = data;
  if (
    data['kind'] !== 'fit' ||
    !COMPLEXITY_NAMES.includes(complexity as ComplexityClass) ||
    !isText(label) ||
    !isNonNegative(relativeError)
  )
    return undefined;
  return { kind: 'fit', complexity: complexity as ComplexityClass, label, relativeError };
}

function record(raw: unknown): Record<string, unknown> | undefined {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_GROWTH_TEXT;
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
