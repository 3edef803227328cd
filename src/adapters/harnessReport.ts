/**
 * Turns what a sandboxed harness process left behind (captured output, exit code or signal, and
 * what the backend saw: wall-clock timeout, OOM kill) into a `SandboxResult`. Shared by the local
 * and Docker backends so both classify the same misbehaviour the same way.
 */
import { constants } from 'node:os';
import { HARNESS_REPORT_MARKER } from '../core/sandboxTypes';
import type {
  HarnessReport,
  InPlaceTiming,
  Limits,
  Measurement,
  RuntimeStats,
  SandboxBackend,
  SandboxResult,
} from '../core/sandboxTypes';
import { coveragePercent } from '../core/resultWords';
import { formatMs } from '../shared/format';
import type { CapturedOutput } from './outputCapture';
import { capturedText } from './outputCapture';

export interface ProcessOutcome {
  readonly stdout: CapturedOutput;
  readonly stderr: CapturedOutput;
  /** Null when the process died by a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /**
   * The backend runs the harness behind a parent that turns "killed by signal N" into exit code
   * 128 + N (bwrap, unshare, a container's main process). Then 129…192 are read as signals.
   */
  readonly exitCodeCarriesSignal: boolean;
  /** The backend killed the run at the wall-clock limit. */
  readonly timedOut: boolean;
  /** The backend saw its memory limit kill a process (cgroup OOM kill, container OOMKilled). */
  readonly oomKilled: boolean;
}

export interface RunContext {
  readonly sandbox: SandboxBackend;
  readonly isolation: string;
  readonly wallMs: number;
  readonly limits: Limits;
}

/** Diagnostics kept on every result: the tail of stdout (report line removed) and stderr. */
const OUTPUT_KEEP_CHARS = 32 * 1024;

/** The last report line in the output, parsed and shape-checked, or undefined. */
export function findHarnessReport(stdout: string): HarnessReport | undefined {
  const at = stdout.lastIndexOf(HARNESS_REPORT_MARKER);
  if (at < 0 || (at > 0 && stdout[at - 1] !== '\n')) {
    // A marker in the middle of a line is not the harness's; look for an earlier line start.
    if (at <= 0) return undefined;
    return findHarnessReport(stdout.slice(0, at));
  }
  const end = stdout.indexOf('\n', at);
  const json = stdout.slice(at + HARNESS_REPORT_MARKER.length, end < 0 ? undefined : end);
  try {
    return asHarnessReport(JSON.parse(json));
  } catch {
    return undefined;
  }
}

function asHarnessReport(value: unknown): HarnessReport | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const report = value as Record<string, unknown>;
  const testsOk = (t: unknown): boolean =>
    typeof t === 'object' &&
    t !== null &&
    typeof (t as Record<string, unknown>).passed === 'number' &&
    typeof (t as Record<string, unknown>).failed === 'number';
  switch (report.kind) {
    case 'passed':
      return testsOk(report.tests) ? (value as HarnessReport) : undefined;
    case 'failed':
      return testsOk(report.tests) && Array.isArray(report.failures) ? (value as HarnessReport) : undefined;
    case 'memory_limit':
    case 'error':
      return typeof report.message === 'string' ? (value as HarnessReport) : undefined;
    default:
      return undefined;
  }
}

/** The harness's notes and call counts, kept only when well-formed (the report comes from a sandbox). */
function notesOf(
  report: {
    readonly notes?: unknown;
    readonly callsMade?: unknown;
    readonly interpreter?: unknown;
    readonly coverage?: unknown;
    readonly longestUnrecordedMs?: unknown;
  },
  inPlace?: InPlaceTiming,
  inPlaceOnly = false,
): {
  notes?: readonly string[];
  callsMade?: number;
  interpreter?: string;
  coverage?: number;
} {
  const coverage =
    typeof report.coverage === 'number' && report.coverage >= 0 && report.coverage <= 1 ? report.coverage : undefined;
  const longestMs =
    typeof report.longestUnrecordedMs === 'number' && report.longestUnrecordedMs >= 0
      ? report.longestUnrecordedMs
      : undefined;
  const said = Array.isArray(report.notes) ? report.notes.filter((n): n is string => typeof n === 'string') : [];
  const notes =
    coverage !== undefined && coverage < COVERAGE_WANTED
      ? [...said, uncoveredNote(coverage, longestMs, inPlace, inPlaceOnly)]
      : said;
  return {
    ...(notes.length > 0 ? { notes } : {}),
    ...(typeof report.callsMade === 'number' && Number.isFinite(report.callsMade)
      ? { callsMade: report.callsMade }
      : {}),
    ...(typeof report.interpreter === 'string' ? { interpreter: report.interpreter } : {}),
    ...(coverage !== undefined ? { coverage } : {}),
  };
}

/** Below this share of the tests' time in the function, a note says the figures leave calls out. */
const COVERAGE_WANTED = 0.95;

/**
 * "the calls that could not be recorded took 42.0 % of the tests' time in the function: …", and
 * where they were timed in place, what that covers.
 */
export function uncoveredNote(
  coverage: number,
  longestMs: number | undefined,
  inPlace?: InPlaceTiming,
  inPlaceOnly = false,
): string {
  const left = 1 - coverage;
  const share = left > 0.999 ? 'over 99.9 %' : coveragePercent(left);
  const longest = longestMs !== undefined && longestMs > 0 ? ` (the longest took ${formatMs(longestMs)})` : '';
  const took = `the calls that could not be recorded took ${share} of the tests' time in the function`;
  if (inPlace === undefined) return `${took}: the figures leave them out${longest}.`;
  const tests = `${inPlace.tests} test${inPlace.tests === 1 ? '' : 's'}`;
  if (inPlaceOnly)
    return (
      `no call could be recorded${longest}, so every figure is from the calls timed in place: ${inPlace.runtimeMs.samples} ` +
      `runs of the ${tests} making them (${formatMs(inPlace.runtimeMs.median)} a run), memory from the same tests run ` +
      `again with the memory traced; they cover ${coveragePercent(inPlace.coverage)} of the tests' time in the function.`
    );
  return (
    `${took}${longest}: the replayed figures leave them out, so they were timed in place, in ${inPlace.runtimeMs.samples} runs ` +
    `of the ${tests} making them (${formatMs(inPlace.runtimeMs.median)} a run); together the figures cover ` +
    `${coveragePercent(inPlace.coverage)} of it.`
  );
}

function isStats(value: unknown): value is RuntimeStats {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  return (
    ['median', 'min', 'mean', 'cv'].every((k) => finite(r[k])) &&
    (r.p10 === undefined || finite(r.p10)) &&
    Number.isInteger(r.samples) &&
    Array.isArray(r.values) &&
    r.values.length === r.samples &&
    r.values.every(finite)
  );
}

/** The in-place timing of a report, kept only when well-formed (it comes from a sandbox). */
function saneInPlace(value: unknown): InPlaceTiming | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const t = value as Record<string, unknown>;
  const count = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0;
  const fraction = (x: unknown): x is number => typeof x === 'number' && x >= 0 && x <= 1;
  if (!isStats(t.runtimeMs) || !count(t.calls) || !count(t.tests) || !fraction(t.coverage) || !fraction(t.share))
    return undefined;
  return {
    runtimeMs: t.runtimeMs,
    calls: t.calls as number,
    tests: t.tests as number,
    coverage: t.coverage,
    share: t.share,
  };
}

/** What the host keeps of a report's measurement: sane noise figures and a sane in-place timing. */
function saneMeasurement(measurement: Measurement): Measurement {
  const { inPlace, basis, memoryUnmeasured, ...others } = withSaneNoise(measurement);
  const rest: Measurement = memoryUnmeasured === true ? { ...others, memoryUnmeasured } : others;
  const kept = saneInPlace(inPlace);
  if (kept === undefined) return rest;
  return basis === 'inPlace' ? { ...rest, inPlace: kept, basis } : { ...rest, inPlace: kept };
}

/**
 * The measurement with its noise figures (samples taken again, share of time waited for a CPU)
 * kept only when they are sane numbers: a report from a sandbox must not make the host claim a
 * quiet or busy machine with figures that cannot be.
 */
export function withSaneNoise(measurement: Measurement): Measurement {
  if (typeof measurement.runtimeMs !== 'object' || measurement.runtimeMs === null) return measurement;
  const { retaken, waitShare, ...runtime } = measurement.runtimeMs as Measurement['runtimeMs'] & {
    retaken?: unknown;
    waitShare?: unknown;
  };
  const saneRetaken =
    typeof retaken === 'number' && Number.isInteger(retaken) && retaken >= 0 && retaken <= runtime.samples;
  const saneWait = typeof waitShare === 'number' && waitShare >= 0 && waitShare <= 1;
  return {
    ...measurement,
    runtimeMs: { ...runtime, ...(saneRetaken ? { retaken } : {}), ...(saneWait ? { waitShare } : {}) },
  };
}

function signalName(exitCode: number | null, signal: string | null, carries: boolean): string | undefined {
  if (signal) return signal;
  if (!carries || exitCode === null || exitCode <= 128 || exitCode > 128 + 64) return undefined;
  const number = exitCode - 128;
  const entry = Object.entries(constants.signals).find(([, n]) => n === number);
  return entry ? entry[0] : `signal ${number}`;
}

const SIGNAL_MEANING: Record<string, string> = {
  SIGSEGV: 'segmentation fault',
  SIGBUS: 'bus error',
  SIGABRT: 'aborted',
  SIGILL: 'illegal instruction',
  SIGFPE: 'arithmetic error',
  SIGKILL: 'killed',
  SIGXCPU: 'CPU time limit',
  SIGXFSZ: 'file size limit',
  SIGSYS: 'bad system call',
};

function lastLines(text: string, lines: number, chars: number): string {
  const trimmed = text.trimEnd();
  const tail = trimmed.split('\n').slice(-lines).join('\n');
  return tail.length > chars ? '…' + tail.slice(tail.length - chars) : tail;
}

function withoutReportLine(stdout: string): string {
  const at = stdout.lastIndexOf('\n' + HARNESS_REPORT_MARKER);
  if (at >= 0) return stdout.slice(0, at + 1);
  return stdout.startsWith(HARNESS_REPORT_MARKER) ? '' : stdout;
}

function diagnostics(outcome: ProcessOutcome): string {
  const out = withoutReportLine(capturedText(outcome.stdout));
  const err = capturedText(outcome.stderr);
  const joined = [out.trimEnd(), err.trimEnd()].filter((s) => s.length > 0).join('\n--- stderr ---\n');
  return joined.length > OUTPUT_KEEP_CHARS ? '…' + joined.slice(joined.length - OUTPUT_KEEP_CHARS) : joined;
}

/** Heap exhaustion the runtime reported on its way down, without a harness report. */
function ranOutOfMemory(stderr: string): boolean {
  return /JavaScript heap out of memory|Reached heap limit|^MemoryError\b|\nMemoryError\b|Cannot allocate memory/.test(
    stderr,
  );
}

/** The report's notes, call count and interpreter, kept when well-formed. */
export function toSandboxResult(outcome: ProcessOutcome, context: RunContext): SandboxResult {
  const info = {
    sandbox: context.sandbox,
    isolation: context.isolation,
    wallMs: context.wallMs,
    output: diagnostics(outcome),
  };
  const stdout = outcome.stdout.tail.length > 0 ? outcome.stdout.head + outcome.stdout.tail : outcome.stdout.head;
  // A report counts only from a harness that finished normally: code that prints a fake report
  // and then crashes or hangs does not get to choose its own verdict.
  const finished = outcome.exitCode === 0 && outcome.signal === null && !outcome.timedOut && !outcome.oomKilled;
  const report = finished ? findHarnessReport(stdout) : undefined;
  if (report) {
    switch (report.kind) {
      case 'passed': {
        const measurement = report.measurement ? saneMeasurement(report.measurement) : undefined;
        return {
          ...info,
          kind: 'passed',
          tests: report.tests,
          runner: report.runner,
          ...notesOf(report, measurement?.inPlace, measurement?.basis === 'inPlace'),
          ...(measurement ? { measurement } : {}),
          ...(report.referenceMeasurement
            ? { referenceMeasurement: saneMeasurement(report.referenceMeasurement) }
            : {}),
          ...(report.recording ? { recording: report.recording } : {}),
          ...(report.hotspots ? { hotspots: report.hotspots } : {}),
        };
      }
      case 'failed':
        return {
          ...info,
          kind: 'failed',
          tests: report.tests,
          runner: report.runner,
          failures: report.failures,
          ...(report.hotspots ? { hotspots: report.hotspots } : {}),
          ...notesOf(report),
          ...(report.failingBefore === true ? { failingBefore: true } : {}),
        };
      case 'memory_limit':
        return { ...info, kind: 'memory_limit', limitMb: context.limits.memoryMb, detail: report.message };
      case 'error':
        return { ...info, kind: 'error', message: report.message };
    }
  }
  if (outcome.oomKilled) return { ...info, kind: 'memory_limit', limitMb: context.limits.memoryMb };
  if (outcome.timedOut) return { ...info, kind: 'timeout', limitMs: context.limits.timeoutMs };
  const stderr = capturedText(outcome.stderr);
  if (ranOutOfMemory(lastLines(stderr, 30, 8000)))
    return { ...info, kind: 'memory_limit', limitMb: context.limits.memoryMb };
  const signal = signalName(outcome.exitCode, outcome.signal, outcome.exitCodeCarriesSignal);
  // The CPU-seconds rlimit is the inner backstop of the wall-clock limit.
  if (signal === 'SIGXCPU') return { ...info, kind: 'timeout', limitMs: context.limits.timeoutMs };
  const detail = lastLines(stderr, 12, 2000);
  if (signal) {
    const meaning = SIGNAL_MEANING[signal];
    const message = `The process was killed by ${signal}${meaning ? ` (${meaning})` : ''}.${detail ? `\n${detail}` : ''}`;
    return { ...info, kind: 'crashed', signal, message };
  }
  const exitCode = outcome.exitCode ?? -1;
  const message =
    exitCode === 0
      ? `The process exited without a harness report (the code may have called exit()).${detail ? `\n${detail}` : ''}`
      : `The process exited with code ${exitCode} without a harness report.${detail ? `\n${detail}` : ''}`;
  return { ...info, kind: 'crashed', exitCode, message };
}
