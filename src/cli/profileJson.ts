/**
 * A `SandboxResult` in the `profile` shape of the CLI contract (design.md): names and meanings
 * of those fields are fixed; the extra fields after them may grow.
 */
import { formatKb, formatKbMs, formatMs, formatPerCall } from '../shared/format';
import { describeComplexity, type ComplexityClass, type ComplexityFit } from '../core/complexityFit';
import { busyNote, noiseFigures, noiseVerdict } from '../core/noise';
import { coveragePercent, describeSandboxFailure, summarizeFailures } from '../core/resultWords';
import type { Language, Measurement, RuntimeStats, SandboxResult, TestFailure } from '../core/sandboxTypes';
import { formatInterpreter, interpreterJson, type InterpreterJson, type InterpreterPlan } from './interpreterJson';

export type ProfileStatus = 'passed' | 'failed' | 'timeout' | 'memory_limit' | 'crashed' | 'error';

export interface ProfileJson {
  readonly status: ProfileStatus;
  readonly language: Language;
  readonly function: string;
  readonly sandbox: 'docker' | 'local';
  readonly isolation: string;
  readonly tests: { readonly passed: number; readonly failed: number };
  /** Null when nothing was measured (the run did not pass). */
  readonly runtime_ms: RuntimeJson | null;
  readonly peak_memory_kb: number | null;
  readonly integral_kb_ms: number | null;
  readonly message: string;
  // Extras.
  /**
   * `runtime_ms` is per ROUND (every recorded call replayed once); this is the same figures per
   * CALL: runtime_ms ÷ calls. Null when nothing was measured.
   */
  readonly runtime_per_call_ms?: {
    readonly median: number;
    readonly min: number;
    readonly mean: number;
    readonly p10?: number;
  } | null;
  /** How busy the machine was during the run (src/core/noise.ts); present on every profile. */
  readonly noise?: NoiseJson;
  readonly file?: string;
  readonly runner?: string;
  /** Recorded calls measured (a runtime is one round over all of them). */
  readonly calls?: number;
  /**
   * What `runtime_ms` and the memory figures are of: 'replay', rounds of the recorded calls;
   * 'in_place', no call could be recorded, so runs of the tests making the calls, timed in place
   * (`in_place` has the same runtime; `runtime_per_call_ms` divides by its calls).
   */
  readonly runtime_basis?: 'replay' | 'in_place';
  /** Calls the tests made to the function. */
  readonly calls_made?: number;
  /** Share (0..1) of the time the tests spent in the function that the recording stands for. */
  readonly coverage?: number;
  /**
   * Python: the calls the recording could not stand for (over 5 % of the tests' time in the
   * function), timed where the tests make them: ms inside the function per run of the tests making
   * them, over repeated runs; `coverage` is what the replays and this cover together.
   */
  readonly in_place?: InPlaceJson;
  /** Calls skipped or sampled, tests left out, and why. */
  readonly notes?: readonly string[];
  /** The failing tests fail with the code as it is, before any change. */
  readonly failing_before?: boolean;
  /** The interpreter or runtime that ran the tests, "path (version)". */
  readonly interpreter?: string;
  /** Python jobs: the interpreter that ran, its version, and the rule that chose it. */
  readonly python?: InterpreterJson;
  readonly process_peak_kb?: number;
  readonly integral_sample_hz?: number;
  readonly failures?: readonly TestFailure[];
  readonly signal?: string;
  readonly exit_code?: number;
  readonly sizes?: readonly SizePointJson[];
  /** With --sizes: the classes fitted to size → runtime and size → peak memory, and the points. */
  readonly complexity?: ComplexityJson;
  /** With --sizes, why no sizes were measured (no generator, or it raised). */
  readonly sizes_error?: string;
  readonly wall_ms: number;
}

export interface RuntimeJson {
  readonly median: number;
  readonly min: number;
  readonly mean: number;
  readonly cv: number;
  readonly samples: number;
  /** Extra: the 10th percentile of the samples, the figure to compare separate profiles by (RuntimeStats.p10). */
  readonly p10?: number;
}

export interface InPlaceJson {
  readonly runtime_ms: RuntimeJson;
  readonly calls: number;
  readonly tests: number;
  readonly coverage: number;
}

export interface NoiseJson {
  readonly busy: boolean;
  /** 1-minute load average (the higher of the run's start and end); null where unknown. */
  readonly load1: number | null;
  readonly cores: number | null;
  /** Share (0..1) of CPU time the hypervisor stole over the run; null where /proc/stat is unreadable. */
  readonly steal_share: number | null;
  /** Share (0..1) of the sandbox's CPU-quota periods in which the quota throttled it; null where no quota (local). */
  readonly throttled_share: number | null;
  /** Timing samples taken again because their thread waited for a CPU; null where unknown. */
  readonly samples_retaken: number | null;
  /** Share (0..1) of the timed wall time the measuring thread waited for a CPU; null where unknown. */
  readonly wait_share: number | null;
  readonly reasons: readonly string[];
}

export interface SizePointJson {
  readonly size: number;
  readonly runtime_ms: number;
  readonly peak_memory_kb: number;
}

/** `class` is one of "1", "log n", "n", "n log n", "n^2", "n^3", "2^n", or null when too few sizes. */
export type ClassJson =
  | { readonly class: ComplexityClass; readonly label: string; readonly relative_error: number }
  | { readonly class: null; readonly reason: string };

export interface ComplexityJson {
  readonly time: ClassJson;
  readonly memory: ClassJson;
  /** e.g. "time ≈ n² (fit within 4 %), memory ≈ n (fit within 2 %)". */
  readonly summary: string;
  readonly points: readonly SizePointJson[];
}

function classJson(fit: ComplexityFit): ClassJson {
  return fit.kind === 'fit'
    ? { class: fit.complexity, label: fit.label, relative_error: fit.relativeError }
    : { class: null, reason: fit.reason };
}

function complexityJson(points: NonNullable<Measurement['sizes']>): ComplexityJson {
  const described = describeComplexity(points);
  return {
    time: classJson(described.time),
    memory: classJson(described.memory),
    summary: described.summary,
    points: points.map((p) => ({ size: p.size, runtime_ms: p.runtimeMs, peak_memory_kb: p.peakMemoryKb })),
  };
}

export interface ProfileSubject {
  readonly language: Language;
  readonly functionName: string;
  readonly file?: string;
  /** Python jobs: how the interpreter was chosen (the report says what actually ran). */
  readonly interpreter?: InterpreterPlan;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function passedMessage(result: Extract<SandboxResult, { kind: 'passed' }>): string {
  const failing = result.tests.failed > 0 ? `, ${result.tests.failed} failing before any change left out` : '';
  const tests = `${plural(result.tests.passed, 'test')} passed${failing}`;
  if (!result.measurement) return `${tests}; nothing was measured (no calls to the function were recorded).`;
  const calls = result.measurement.calls;
  if (result.measurement.basis === 'inPlace')
    return `${tests}; no call could be recorded, so the function was timed in place: the runtime is that of one run of the tests making its calls (${plural(calls, 'call')} a run).`;
  const made =
    result.callsMade !== undefined && result.callsMade !== calls
      ? ` of the ${plural(result.callsMade, 'call')} the tests made`
      : '';
  return `${tests}; measured on ${plural(calls, 'recorded call')}${made} (the runtime is one round over all of them).`;
}

function failedMessage(result: Extract<SandboxResult, { kind: 'failed' }>): string {
  if (!result.failingBefore) return describeSandboxFailure(result, 'The function', false);
  const total = result.tests.passed + result.tests.failed;
  return (
    `${result.tests.failed} of ${plural(total, 'test')} fail with the code as it is, before any change: ` +
    `${summarizeFailures(result.failures)}. Next step: make them pass (or leave them out with --tests), then run again.`
  );
}

/** Notes and call counts the harness gave, in the JSON's names. */
function notesJson(result: {
  readonly notes?: readonly string[];
  readonly callsMade?: number;
  readonly interpreter?: string;
  readonly coverage?: number;
}): Pick<ProfileJson, 'calls_made' | 'coverage' | 'interpreter' | 'notes'> {
  return {
    ...(result.callsMade !== undefined ? { calls_made: result.callsMade } : {}),
    ...(result.coverage !== undefined ? { coverage: result.coverage } : {}),
    ...(result.interpreter !== undefined ? { interpreter: result.interpreter } : {}),
    ...(result.notes && result.notes.length > 0 ? { notes: result.notes } : {}),
  };
}

/** ", covering 99.8 % of the tests' time in the function": what share of it the measurement stands for. */
function coverageText(coverage: number | undefined): string {
  return coverage === undefined ? '' : `, covering ${coveragePercent(coverage)} of the tests' time in the function`;
}

function rounded(value: number): number {
  return Number(value.toPrecision(6));
}

/** The run's noise verdict in the JSON's names (null for what nobody measured). */
export function noiseJson(result: SandboxResult): NoiseJson {
  const runtime = result.kind === 'passed' ? result.measurement?.runtimeMs : undefined;
  const verdict = noiseVerdict(noiseFigures(result.machineLoad, runtime));
  return {
    busy: verdict.busy,
    load1: verdict.load1 !== undefined ? rounded(verdict.load1) : null,
    cores: verdict.cores ?? null,
    steal_share: verdict.stealShare !== undefined ? rounded(verdict.stealShare) : null,
    throttled_share: verdict.throttledShare !== undefined ? rounded(verdict.throttledShare) : null,
    samples_retaken: verdict.samplesRetaken ?? null,
    wait_share: verdict.waitShare !== undefined ? rounded(verdict.waitShare) : null,
    reasons: verdict.reasons,
  };
}

/** Peak and integral, null when nothing was measured or the memory was not (its zeros are no figures). */
export function memoryJson(m: Measurement | undefined): {
  readonly peak_memory_kb: number | null;
  readonly integral_kb_ms: number | null;
} {
  if (m === undefined || m.memoryUnmeasured) return { peak_memory_kb: null, integral_kb_ms: null };
  return { peak_memory_kb: m.peakMemoryKb, integral_kb_ms: m.integralKbMs };
}

function runtimeJson(r: RuntimeStats): RuntimeJson {
  return {
    median: r.median,
    min: r.min,
    mean: r.mean,
    cv: r.cv,
    samples: r.samples,
    ...(r.p10 !== undefined ? { p10: r.p10 } : {}),
  };
}

function inPlaceJson(m: Measurement | undefined): Pick<ProfileJson, 'in_place'> {
  const t = m?.inPlace;
  if (t === undefined) return {};
  return {
    in_place: {
      runtime_ms: runtimeJson(t.runtimeMs),
      calls: t.calls,
      tests: t.tests,
      coverage: t.coverage,
    },
  };
}

/** "  in place  7.65 ms a run ± 2.1 % (median of 9 runs of the 1 test making 1 call; with the replays, 100 % of …)" */
function inPlaceText(t: InPlaceJson): string {
  const r = t.runtime_ms;
  return (
    `  in place  ${formatMs(r.median)} a run ± ${(r.cv * 100).toFixed(1)} % (median of ${r.samples} runs of the ` +
    `${plural(t.tests, 'test')} making the calls not recorded, ${plural(t.calls, 'call')} a run; with the replays` +
    `${coverageText(t.coverage)})`
  );
}

/** Runtime per call: the per-round figures divided by the recorded calls of a round. */
function perCallJson(m: Measurement | undefined): ProfileJson['runtime_per_call_ms'] {
  if (m === undefined || m.calls <= 0) return null;
  const r = m.runtimeMs;
  return {
    median: r.median / m.calls,
    min: r.min / m.calls,
    mean: r.mean / m.calls,
    ...(r.p10 !== undefined ? { p10: r.p10 / m.calls } : {}),
  };
}

export function toProfileJson(result: SandboxResult, subject: ProfileSubject): ProfileJson {
  const base = {
    language: subject.language,
    function: subject.functionName,
    sandbox: result.sandbox,
    isolation: result.isolation,
    ...(subject.file !== undefined ? { file: subject.file } : {}),
    ...(subject.interpreter !== undefined
      ? { python: interpreterJson(subject.interpreter, 'interpreter' in result ? result.interpreter : undefined) }
      : {}),
    wall_ms: Math.round(result.wallMs),
    noise: noiseJson(result),
  };
  const unmeasured = { runtime_ms: null, peak_memory_kb: null, integral_kb_ms: null } as const;
  const noTests = { passed: 0, failed: 0 };
  switch (result.kind) {
    case 'passed': {
      const m = result.measurement;
      const sizes = m?.sizes?.map((p) => ({ size: p.size, runtime_ms: p.runtimeMs, peak_memory_kb: p.peakMemoryKb }));
      return {
        status: 'passed',
        ...base,
        tests: { passed: result.tests.passed, failed: result.tests.failed },
        runtime_ms: m ? runtimeJson(m.runtimeMs) : null,
        ...memoryJson(m),
        message: passedMessage(result),
        runtime_per_call_ms: perCallJson(m),
        runner: result.runner,
        ...(m ? { calls: m.basis === 'inPlace' ? 0 : m.calls } : {}),
        ...(m ? { runtime_basis: m.basis === 'inPlace' ? 'in_place' : 'replay' } : {}),
        ...notesJson(result),
        ...inPlaceJson(m),
        ...(m?.processPeakKb !== undefined ? { process_peak_kb: m.processPeakKb } : {}),
        ...(m?.integralSampleHz !== undefined ? { integral_sample_hz: m.integralSampleHz } : {}),
        ...(sizes && sizes.length > 0 ? { sizes, complexity: complexityJson(m?.sizes ?? []) } : {}),
        ...(m?.sizesError !== undefined && (sizes?.length ?? 0) === 0 ? { sizes_error: m.sizesError } : {}),
      };
    }
    case 'failed':
      return {
        status: 'failed',
        ...base,
        tests: { passed: result.tests.passed, failed: result.tests.failed },
        ...unmeasured,
        message: failedMessage(result),
        runner: result.runner,
        failures: result.failures,
        ...notesJson(result),
        ...(result.failingBefore ? { failing_before: true } : {}),
      };
    case 'timeout':
    case 'memory_limit':
      return {
        status: result.kind,
        ...base,
        tests: noTests,
        ...unmeasured,
        message:
          describeSandboxFailure(result, 'The run') +
          (result.kind === 'memory_limit' && result.detail ? ` (${result.detail})` : ''),
      };
    case 'crashed':
      return {
        status: 'crashed',
        ...base,
        tests: noTests,
        ...unmeasured,
        message: describeSandboxFailure(result, 'The run'),
        ...(result.signal !== undefined ? { signal: result.signal } : {}),
        ...(result.exitCode !== undefined ? { exit_code: result.exitCode } : {}),
      };
    case 'error':
      return { status: 'error', ...base, tests: noTests, ...unmeasured, message: result.message };
  }
}

/** The short human summary printed without --json. */
export function formatProfileText(profile: ProfileJson): string {
  const lines = [`${profile.function} (${profile.language}): ${profile.status} — ${profile.message}`];
  // Only runs that got through the tests know their counts; the others say what stopped them.
  if (profile.status === 'passed' || profile.status === 'failed')
    lines.push(`  tests     ${profile.tests.passed} passed, ${profile.tests.failed} failed`);
  for (const failure of (profile.failures ?? []).slice(0, 5)) {
    lines.push(`    ✗ ${failure.test}: ${failure.message.split('\n')[0] ?? ''}`);
  }
  if (profile.runtime_ms) {
    const r = profile.runtime_ms;
    const inPlace = profile.runtime_basis === 'in_place';
    const calls = inPlace ? profile.in_place?.calls : profile.calls;
    const each = (ms: number): string =>
      calls !== undefined && calls > 0 ? `${formatMs(ms / calls)} per call` : formatMs(ms);
    const p10 = r.p10 !== undefined ? `, 10th percentile ${each(r.p10)}` : '';
    lines.push(
      `  runtime   ${formatPerCall(r.median, calls, inPlace ? 'inPlace' : undefined)} ± ${(r.cv * 100).toFixed(1)} % (median of ${r.samples} ${inPlace ? 'runs' : 'samples'}${p10}, min ${each(r.min)})`,
    );
  }
  const busy = profile.noise?.busy ? profile.noise.reasons : [];
  if (busy.length > 0) lines.push(`  ${busyNote(busy)}`);
  if (profile.peak_memory_kb !== null) lines.push(`  memory    peak ${formatKb(profile.peak_memory_kb)}`);
  else if (profile.runtime_ms) lines.push('  memory    not measured (the notes say why)');
  if (profile.integral_kb_ms !== null) lines.push(`  integral  ${formatKbMs(profile.integral_kb_ms)}`);
  if (profile.complexity) {
    lines.push(`  growth    ${profile.complexity.summary}`);
    for (const p of profile.complexity.points)
      lines.push(
        `    n = ${String(p.size).padEnd(8)} ${formatMs(p.runtime_ms).padEnd(10)} peak ${formatKb(p.peak_memory_kb)}`,
      );
  }
  if (profile.sizes_error) lines.push(`  growth    not measured: ${profile.sizes_error}`);
  if (profile.calls !== undefined || profile.calls_made !== undefined) {
    const made = profile.calls_made !== undefined ? ` of ${profile.calls_made} made by the tests` : '';
    const basis =
      profile.runtime_basis === 'in_place'
        ? `; every figure is from the calls timed in place${coverageText(profile.in_place?.coverage)}`
        : `${coverageText(profile.coverage)} (runtime is one round of all recorded calls)`;
    lines.push(`  calls     ${profile.calls ?? 0} recorded${made}${basis}`);
  }
  if (profile.in_place && profile.runtime_basis !== 'in_place') lines.push(inPlaceText(profile.in_place));
  if (profile.python) lines.push(`  python    ${formatInterpreter(profile.python)}`);
  else if (profile.interpreter) lines.push(`  ran by    ${profile.interpreter}`);
  for (const note of profile.notes ?? []) lines.push(`  note      ${note}`);
  lines.push(`  sandbox   ${profile.isolation}`);
  return lines.join('\n');
}
