/**
 * The sandbox port and everything that crosses it. Pure data: the harness inside the sandbox
 * (sandbox/python/harness.py, sandbox/node/harness.mjs) reads a `HarnessJob` as JSON and prints a
 * `HarnessReport` as JSON; the adapters turn the process outcome into a `SandboxResult`.
 */

/** The id of a language as src/languages/registry.ts knows it: 'python', 'javascript', 'typescript'. */
export type Language = string;

export type SandboxBackend = 'docker' | 'local';

/** A file placed in the sandbox work dir. `path` is relative (POSIX separators, no `..`). */
export interface SourceFile {
  readonly path: string;
  readonly content: string;
}

/** The user's project, visible read-only inside the sandbox at the same absolute path as on the host. */
export interface ProjectMount {
  /**
   * Absolute path of the project root on the host (pyproject/setup.cfg/setup.py/pytest.ini/tox.ini,
   * or the nearest package.json incl. workspace roots, else the VCS root). Mounted read-only at
   * this same path.
   */
  readonly root: string;
}

export interface Limits {
  /** Wall-clock limit of one whole run, enforced from outside the sandbox. */
  readonly timeoutMs: number;
  /** Memory limit (address space / cgroup) of one run. */
  readonly memoryMb: number;
}

/** How measurement is done inside the harness. All optional; the harness has defaults. */
export interface MeasureOptions {
  /** Total time budget for timing samples (ms). Default 1500. */
  readonly budgetMs?: number;
  /** Minimum duration of one timing sample (ms); the loop count is calibrated to reach it. Default 5. */
  readonly minSampleMs?: number;
  /** Max number of timing samples. Default 60. */
  readonly maxSamples?: number;
  /** Collect a line-level profile of the target (hot lines for the prompt). Default false. */
  readonly hotLines?: boolean;
  /** Empirical complexity: sizes to pass to `afterburner_inputs(size)` found next to the tests. */
  readonly sizes?: readonly number[];
}

/** What the harness is asked to do. */
export type HarnessMode =
  /** Run tests, record calls to the target, replay them to measure. */
  | { readonly kind: 'profile' }
  /**
   * Run tests on the (candidate) module, then replay `recording` (made by a profile run of the
   * original): results, exceptions and argument mutation must match; then measure on those inputs.
   * With `reference`, the candidate is measured side by side with that module in the same process.
   */
  | { readonly kind: 'check'; readonly recording: Recording; readonly reference?: ReferenceModule }
  /** Only run the tests (no recording, no measurement). */
  | { readonly kind: 'test' }
  /** Run all the tests under a profiler and report time per function (see HotspotsProfile). */
  | { readonly kind: 'hotspots' };

/**
 * A second version of the module in the job (the best so far), measured together with the
 * candidate: after the candidate passed its tests and the differential check, both replay the same
 * recorded inputs in one process, their timing samples interleaved in pairs with the same loop
 * count, warm-up, GC and cache rules, so drift of a shared machine between runs cannot make one
 * look faster than the other. It is loaded under a module identity of its own (the candidate's
 * name stays the candidate's), is neither tested nor checked, and yields
 * `HarnessReport.referenceMeasurement`, whose `runtimeMs.values[i]` pairs with the candidate's.
 */
export interface ReferenceModule {
  /** Work-dir-relative path of the reference module file (for TypeScript: as sent by the host). */
  readonly modulePath: string;
}

/**
 * Calls to the target recorded while the tests ran. `data` is opaque to the host: the harness
 * of the same language writes and reads it (base64 pickle for Python, a tagged JSON for Node).
 */
export interface Recording {
  readonly language: Language;
  readonly calls: number;
  readonly data: string;
}

/** The job.json the harness reads. Paths are relative to the work dir. */
export interface HarnessJob {
  readonly language: Language;
  /** The module holding the target (for TypeScript: the transpiled .mjs/.js the host wrote). */
  readonly modulePath: string;
  readonly testPaths: readonly string[];
  /** `name` or `Class.method`. */
  readonly target: string;
  readonly mode: HarnessMode;
  readonly measure: MeasureOptions;
  /** Seed for random/Math.random during tests and replay. */
  readonly seed: number;
  /**
   * The user's workspace root as the harness sees it (absolute, read-only): JS/TS test runners
   * (vitest, jest) are run from its node_modules. Absent when the job has none.
   */
  readonly workspaceRoot?: string;
  /**
   * The project root (absolute, the same path as on the host, read-only): the harness runs from
   * there, and `modulePath`/`testPaths` are relative to it.
   */
  readonly projectRoot?: string;
  /** Project-relative paths whose content for this run is in the work dir (at the same relative path). */
  readonly overlays?: readonly string[];
}

export interface SandboxJob {
  readonly language: Language;
  readonly files: readonly SourceFile[];
  readonly modulePath: string;
  readonly testPaths: readonly string[];
  readonly target: string;
  readonly mode: HarnessMode;
  readonly limits: Limits;
  readonly measure?: MeasureOptions;
  /**
   * Absolute path of the user's workspace root, if any: JS/TS test runners (jest, vitest) are taken
   * from its node_modules when present. It is mounted read-only; nothing is written there.
   */
  readonly workspaceRoot?: string;
  /**
   * The user's project, seen in place. When set, `modulePath` and `testPaths` are relative to
   * `project.root`, and `files` are OVERLAYS: each replaces the file at `project.root/path` for
   * this run only (the module as the editor has it, the candidate); nothing is written there.
   */
  readonly project?: ProjectMount;
}

export interface RuntimeStats {
  /** Milliseconds for one replay of all recorded calls. */
  readonly median: number;
  /**
   * The 10th percentile of the samples (nearest rank below; the minimum under 11 samples): the
   * figure to compare separate profiles by. On a shared machine other tenants slow whole stretches
   * of a profile without the measuring thread ever waiting for a CPU, so the median of one profile
   * of a 3 µs function landed anywhere in 3.2–6.3 µs while the 10th percentile stayed within
   * 2.1–3 % (CV over 10 profiles) and the minimum, one sample, was a little less steady. Absent
   * from reports of older harnesses.
   */
  readonly p10?: number;
  readonly min: number;
  readonly mean: number;
  /** Coefficient of variation of the samples (stdev / mean), a fraction. */
  readonly cv: number;
  readonly samples: number;
  /** The per-sample values (ms per replay round), for significance tests. */
  readonly values: readonly number[];
  /**
   * How many processes (placements in physical memory) the samples came from, where the harness
   * measures in several; `median` is then the median of the least disturbed one.
   */
  readonly placements?: number;
  /**
   * Of `samples`, how many were taken again because their thread waited for a CPU for more than
   * 2 % of the sample (the least disturbed attempt was kept). Absent where the kernel does not say.
   */
  readonly retaken?: number;
  /**
   * Share (0..1) of the wall time of every timed attempt (kept or taken again) that the measuring
   * thread spent runnable but waiting for a CPU (schedstat run_delay). Absent where unknown.
   */
  readonly waitShare?: number;
}

export interface HotLine {
  readonly line: number;
  readonly source: string;
  /** Fraction of the target's time spent on this line, 0..1. */
  readonly share: number;
  readonly hits?: number;
}

export interface SizePoint {
  readonly size: number;
  readonly runtimeMs: number;
  readonly peakMemoryKb: number;
}

export interface Measurement {
  readonly runtimeMs: RuntimeStats;
  /** Peak memory of one replay round above the baseline before it, in kB. */
  readonly peakMemoryKb: number;
  /**
   * Set when the memory could not be measured (the in-place memory runs failed; the notes say
   * why): `peakMemoryKb` and `integralKbMs` are then 0 placeholders, shown as "not measured" and
   * never compared. 0 kB otherwise means the calls allocated nothing.
   */
  readonly memoryUnmeasured?: true;
  /** Process high-water mark (RSS) in kB, for information. */
  readonly processPeakKb?: number;
  /**
   * Memory-time integral in kB·ms: trapezoid rule over (t_i, m_i) samples of the traced memory
   * above baseline, taken at ≥ 1 kHz during one separate replay pass:
   * Σ (m_i + m_{i+1}) / 2 · (t_{i+1} − t_i).
   */
  readonly integralKbMs: number;
  /** Sampling frequency actually reached for the integral, Hz. */
  readonly integralSampleHz?: number;
  readonly calls: number;
  readonly hotLines?: readonly HotLine[];
  readonly sizes?: readonly SizePoint[];
  /** Why `measure.sizes` gave no points (no generator found, or it raised); the rest was measured. */
  readonly sizesError?: string;
  /** The calls the recording could not stand for, timed where the tests make them. */
  readonly inPlace?: InPlaceTiming;
  /**
   * 'inPlace' when no call could be recorded: every figure above is from the calls timed in place
   * (`runtimeMs` per run of the tests making them, `calls` a run, memory from one traced run).
   */
  readonly basis?: 'inPlace';
}

/**
 * Calls that cannot be replayed (inputs too large to copy, not picklable, a stateful receiver, a
 * callback reading variables around it) are timed in place when they hold over 5 % of the tests'
 * time in the function: the tests that make them run again several times with only a timer on the
 * target (sandbox/python/afterburner_harness/in_place.py, sandbox/node/inPlace.mjs).
 */
export interface InPlaceTiming {
  /** Milliseconds spent inside the target's outermost calls per run of `tests`, one sample per run. */
  readonly runtimeMs: RuntimeStats;
  /** Outermost calls to the target per run of `tests`. */
  readonly calls: number;
  /**
   * How many tests were run again: in Python those that made the calls the recording could not stand
   * for; in JavaScript every test (a runner cannot run one test of a file alone).
   */
  readonly tests: number;
  /** Share (0..1) of the tests' time in the function that the replays and this timing cover together. */
  readonly coverage: number;
  /** Share (0..1) of the tests' time in the function that the calls the replays leave out took. */
  readonly share: number;
}

/** One function as the `hotspots` harness mode saw it; the host filters, names and ranks them. */
export interface RawHotspot {
  /** Relative to the work dir (or the project root), POSIX separators; TypeScript mapped back to its .ts. */
  readonly file: string;
  /** 1-based line where the profiler places the function (its definition or first decorator). */
  readonly line: number;
  /** The runtime's name of the function (`co_name`, V8's functionName): no class prefix. */
  readonly name: string;
  /** Inclusive time (callees included; recursion counted once). */
  readonly totalMs: number;
  readonly selfMs: number;
  readonly calls: number;
}

/** The `hotspots` mode's profile of one test run. */
export interface HotspotsProfile {
  /** Time spent in the tests themselves (runner start-up and collection excluded). */
  readonly testMs: number;
  /** Wall time of the whole profiled test run, for information. */
  readonly wallMs?: number;
  readonly functions: readonly RawHotspot[];
}

export interface TestCounts {
  readonly passed: number;
  readonly failed: number;
}

export interface TestFailure {
  readonly test: string;
  /** Assertion text or exception, trimmed. */
  readonly message: string;
}

/** What the harness says besides the verdict: calls skipped or sampled, tests left out, and why. */
interface HarnessNotes {
  readonly notes?: readonly string[];
  /** Calls the tests made to the target (profile mode); `recording.calls` of them were recorded. */
  readonly callsMade?: number;
  /** The interpreter or runtime that ran the tests, e.g. "/usr/bin/node (v20.20.2)". */
  readonly interpreter?: string;
  /**
   * Profile mode: the share (0..1) of the time the tests spent in the target that the recording
   * stands for: all but the calls that could not be recorded (calls an even sample left out are
   * stood for by it). Below 0.95 the notes say how much the figures leave out.
   */
  readonly coverage?: number;
}

/** A run whose tests passed (measured in `profile` and `check` modes). */
interface PassedRun extends HarnessNotes {
  readonly kind: 'passed';
  readonly tests: TestCounts;
  readonly runner: string;
  readonly measurement?: Measurement;
  /** The check mode's reference, measured side by side with `measurement` (see ReferenceModule). */
  readonly referenceMeasurement?: Measurement;
  readonly recording?: Recording;
  readonly hotspots?: HotspotsProfile;
}

interface FailedRun extends HarnessNotes {
  readonly kind: 'failed';
  readonly tests: TestCounts;
  readonly runner: string;
  readonly failures: readonly TestFailure[];
  /** In `hotspots` mode: the profile of the tests that ran, failed ones included. */
  readonly hotspots?: HotspotsProfile;
  /** The tests fail with the code as it is, before any change (a profile run of the original). */
  readonly failingBefore?: boolean;
}

/** What the harness prints (one JSON document after the marker line). */
export type HarnessReport =
  | (PassedRun & {
      /**
       * Profile mode, when some calls could not be recorded: the longest of them, ms. The host
       * words the note on coverage below 0.95 from this and `coverage`.
       */
      readonly longestUnrecordedMs?: number;
    })
  | FailedRun
  /** A MemoryError / heap exhaustion the harness caught itself (the limit is enforced outside too). */
  | { readonly kind: 'memory_limit'; readonly message: string }
  | { readonly kind: 'error'; readonly message: string };

/** The marker line the harness prints before its report; the host takes the last one. */
export const HARNESS_REPORT_MARKER = '@@AFTERBURNER_REPORT@@';

/**
 * How busy the host was around one sandbox run: the 1-minute load average at its start and end,
 * the cores the host offers, and the share of CPU time the hypervisor stole over the run (Linux
 * /proc/stat; absent where unreadable). Read by the host, never by the harness.
 */
export interface MachineLoad {
  readonly load1Start: number;
  readonly load1End?: number;
  readonly cores: number;
  readonly stealShare?: number;
  /** Share (0..1) of the sandbox's CPU-quota periods in which the quota throttled it (Docker). */
  readonly throttledShare?: number;
}

interface RunInfo {
  readonly sandbox: SandboxBackend;
  /** Human-readable description of the isolation in force, e.g. "docker: no network, …". */
  readonly isolation: string;
  /** Wall time of the whole sandbox run, ms (start-up included; never used as a measurement). */
  readonly wallMs: number;
  /** Tail of the captured output (capped), for diagnostics. */
  readonly output: string;
  /** How busy the host was during the run, where the host looked (see MachineLoad). */
  readonly machineLoad?: MachineLoad;
  /** Share (0..1) of the CPU-quota periods of the run in which the quota throttled the sandbox (Docker). */
  readonly quotaThrottledShare?: number;
}

export type SandboxResult = RunInfo &
  (
    | PassedRun
    | FailedRun
    | { readonly kind: 'timeout'; readonly limitMs: number }
    /** `detail`: where the harness saw the MemoryError, when it did. */
    | { readonly kind: 'memory_limit'; readonly limitMb: number; readonly detail?: string }
    | { readonly kind: 'crashed'; readonly signal?: string; readonly exitCode?: number; readonly message: string }
    /** Our fault or bad input; `message` says what to do. */
    | { readonly kind: 'error'; readonly message: string }
  );

export type SandboxStatus = SandboxResult['kind'];

export interface SandboxDescription {
  readonly sandbox: SandboxBackend;
  readonly isolation: string;
}

/** The port: run one job in isolation. Never throws for the code's misbehaviour; rejects only on cancel. */
export interface Sandbox {
  describe(): SandboxDescription;
  run(job: SandboxJob, signal?: AbortSignal): Promise<SandboxResult>;
  /** Stop warm containers / processes. Idempotent. */
  dispose(): Promise<void>;
}
