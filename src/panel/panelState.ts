/**
 * The panel's view model, folded from loop events. Pure: the host keeps one `RunRecord` per run,
 * feeds it every event, stores it, and sends `record.view` to the webview. The record also keeps
 * what Accept needs (the function's text at run start and each candidate's code), which the
 * webview never sees.
 */
import { changeWords, speedWords } from '../core/changeWords';
import { growthChangeWords } from '../core/explanation';
import type { BestSoFar, CandidateReport, Goal, LoopEvent } from '../core/loopTypes';
import type { Language, Measurement, SandboxResult } from '../core/sandboxTypes';
import type {
  BaselineView,
  BestView,
  CandidateView,
  Decision,
  FailureView,
  GrowthSeries,
  GrowthVersion,
  GrowthView,
  IterationView,
  MeasureView,
  RunKind,
  RunSummary,
  RunView,
} from '../shared/protocol';
import { lineChanges, type CandidateChange } from './diffModel';
import { dedent } from '../core/spliceFunction';
import { busyNote, noiseFigures, noiseVerdict } from '../core/noise';
import { coveragePercent } from '../core/resultWords';
import { formatMs } from '../shared/format';
import { growthSeriesFrom, growthSummary } from './growth';

/** Where a run's function lives; plain strings so a record can be stored and reopened. */
export interface RunSource {
  readonly documentUri: string;
  readonly target: string;
  readonly language: Language;
  /** The function's text when the run started. Accept refuses if the document no longer has it. */
  readonly originalCode: string;
  /** The indentation before the function's first line (a method's), which `originalCode` lacks. */
  readonly indent: string;
  readonly testUris: readonly string[];
}

export interface StoredCandidate {
  readonly iteration: number;
  readonly index: number;
  /** The candidate function, dedented; Accept re-indents it to where the function is then. */
  readonly code: string;
  /** Imports or helpers the candidate needs above the function. */
  readonly insertedAbove?: string;
}

export interface RunRecord {
  readonly view: RunView;
  readonly source: RunSource;
  readonly candidates: readonly StoredCandidate[];
  /** The text written by the last Accept: Accept of another iteration may replace it too. */
  readonly appliedCode?: string;
  /** The iteration whose Accept wrote `appliedCode` (marked applied again when a redo restores it). */
  readonly appliedIteration?: number;
}

export interface RunStart {
  readonly id: string;
  readonly kind: RunKind;
  readonly fileLabel: string;
  readonly startedAt: number;
  readonly iterationsPlanned?: number;
  readonly source: RunSource;
  /** Python runs: why the interpreter was chosen. */
  readonly interpreterOrigin?: string;
}

export interface ReduceContext {
  readonly now: number;
  /** The change a candidate makes (read from its module text); defaults to its dedented `code`. */
  readonly changeOf?: (candidate: CandidateReport) => CandidateChange | undefined;
}

export function startRun(start: RunStart): RunRecord {
  const view: RunView = {
    id: start.id,
    kind: start.kind,
    functionName: start.source.target,
    fileLabel: start.fileLabel,
    language: start.source.language,
    startedAt: start.startedAt,
    phase: 'running',
    message: start.kind === 'profile' ? 'Starting the sandbox to profile the function…' : 'Starting the sandbox…',
    iterations: [],
    ...(start.iterationsPlanned === undefined ? {} : { iterationsPlanned: start.iterationsPlanned }),
    ...(start.interpreterOrigin === undefined ? {} : { interpreterOrigin: start.interpreterOrigin }),
  };
  return { view, source: start.source, candidates: [] };
}

export function reduceRun(record: RunRecord, event: LoopEvent, context: ReduceContext): RunRecord {
  const view = record.view;
  switch (event.type) {
    case 'started':
      return withView(record, {
        ...view,
        sandbox: event.sandbox,
        isolation: event.isolation,
        ...(view.kind === 'optimize' ? { model: event.model, goal: event.goal } : {}),
        message: `Testing and measuring the original ${view.functionName}…`,
      });
    case 'baseline':
      return reduceBaseline(record, event.result, context.now);
    case 'iterationStarted': {
      const iteration: IterationView = {
        iteration: event.iteration,
        done: false,
        candidates: [],
        modelChars: 0,
        decision: 'undecided',
      };
      const planned = view.iterationsPlanned === undefined ? '' : ` of ${view.iterationsPlanned}`;
      return withView(record, {
        ...view,
        iterations: [...view.iterations.filter((it) => it.iteration !== event.iteration), iteration],
        message: `Iteration ${event.iteration}${planned}: asking ${view.model ?? 'the model'} for a faster version…`,
      });
    }
    case 'modelText':
      return withView(record, {
        ...view,
        iterations: updateIteration(view.iterations, event.iteration, (it) => ({
          ...it,
          modelChars: it.modelChars + event.text.length,
        })),
      });
    case 'candidateProposed': {
      const pending: CandidateView = {
        index: event.index,
        status: 'measuring',
        verdict: 'pending',
        reason: 'testing and measuring',
        failures: [],
        hasCode: event.code.trim().length > 0,
      };
      return withView(record, {
        ...view,
        iterations: updateIteration(view.iterations, event.iteration, (it) => ({
          ...it,
          candidates: upsertCandidate(it.candidates, pending),
        })),
        message: `Iteration ${event.iteration}: testing and measuring candidate ${event.index}…`,
      });
    }
    case 'candidateMeasured':
      return reduceCandidate(record, event.candidate, context);
    case 'iterationDone': {
      const best = bestView(event.best);
      const iterations = updateIteration(view.iterations, event.iteration, (it) => {
        const offered = offeredCandidate(it, record.candidates, event.best, view.goal ?? 'time');
        return { ...it, done: true, best, ...(offered === undefined ? {} : { offered }) };
      });
      return withView(record, {
        ...view,
        iterations,
        best,
        message: `Iteration ${event.iteration} done; best so far: ${best.iteration === 0 ? 'the original' : `iteration ${best.iteration}, ${best.changeWords ?? speedWords(best.speedup)}`}.`,
      });
    }
    case 'finished': {
      const best = event.best === undefined ? view.best : bestView(event.best);
      const phase =
        view.kind === 'profile' && event.outcome !== 'cancelled' && event.outcome !== 'failed'
          ? 'profiled'
          : event.outcome;
      return withView(record, {
        ...view,
        phase,
        message: event.reason,
        finishedAt: context.now,
        iterations: view.iterations.map(settleIteration),
        ...(best === undefined ? {} : { best }),
      });
    }
  }
}

/** Marks what the user did with an iteration; `appliedCode` is what Accept wrote. */
export function decideIteration(
  record: RunRecord,
  iteration: number,
  decision: Decision,
  appliedCode?: string,
): RunRecord {
  const iterations = record.view.iterations.map((it) =>
    it.iteration === iteration
      ? { ...it, decision }
      : decision === 'applied' && it.decision === 'applied'
        ? { ...it, decision: 'undecided' as const }
        : it,
  );
  const next = withView(record, { ...record.view, iterations });
  return appliedCode === undefined ? next : { ...next, appliedCode, appliedIteration: iteration };
}

/**
 * Growth measurement is the panel's, not the loop's: a profile measures sizes in its own sandbox
 * run, an optimisation measures the original and the best candidate after the loop finished.
 */
export type GrowthAction =
  | {
      readonly type: 'growthStarted';
      readonly sizes: readonly number[];
      readonly versions: readonly { readonly version: GrowthVersion; readonly label: string }[];
    }
  | { readonly type: 'growthMeasured'; readonly version: GrowthVersion; readonly result: SandboxResult }
  | { readonly type: 'growthFailed'; readonly version: GrowthVersion; readonly message: string }
  | { readonly type: 'growthEnded'; readonly outcome: 'done' | 'cancelled' | 'interrupted' }
  /** Nothing worth showing (e.g. the profile itself failed): the section goes away. */
  | { readonly type: 'growthDropped' };

export function reduceGrowth(record: RunRecord, action: GrowthAction): RunRecord {
  const view = record.view;
  const growth = view.growth;
  switch (action.type) {
    case 'growthStarted': {
      const series: GrowthSeries[] = action.versions.map((v) => ({
        kind: 'measuring',
        version: v.version,
        label: v.label,
      }));
      return withView(record, {
        ...view,
        growth: withSummary({ status: 'measuring', sizes: [...action.sizes], series }),
      });
    }
    case 'growthMeasured':
    case 'growthFailed': {
      if (!growth) return record;
      const series = growth.series.map((s): GrowthSeries => {
        if (s.version !== action.version) return s;
        const subject = { version: s.version, label: s.label };
        return action.type === 'growthFailed'
          ? { kind: 'failed', ...subject, message: action.message }
          : growthSeriesFrom(subject, action.result, growth.sizes);
      });
      const measured = withView(record, { ...view, growth: withSummary({ ...growth, series }) });
      return action.type === 'growthMeasured' ? explainBestGrowth(measured) : measured;
    }
    case 'growthEnded': {
      if (!growth || growth.status !== 'measuring') return record;
      return withView(record, { ...view, growth: settleGrowth(growth, action.outcome) });
    }
    case 'growthDropped': {
      if (!growth) return record;
      const { growth: _dropped, ...rest } = view;
      return withView(record, rest);
    }
  }
}

/**
 * Once the original and the best are both measured at the same sizes, the best candidate's
 * measured explanation leads with the change of growth class ("time ≈ n² → n"), in the words the
 * CLI uses, so the panel and the inline diff's hover say why it is faster as the CLI does.
 */
function explainBestGrowth(record: RunRecord): RunRecord {
  const view = record.view;
  const measuredSeries = (version: GrowthVersion) =>
    view.growth?.series.find(
      (s): s is Extract<GrowthSeries, { kind: 'measured' }> => s.kind === 'measured' && s.version === version,
    );
  const original = measuredSeries('original');
  const best = measuredSeries('best');
  const iteration = view.iterations.find((it) => it.iteration === view.best?.iteration);
  if (!original || !best || iteration?.offered === undefined || view.best === undefined || view.best.iteration === 0)
    return record;
  const words = growthChangeWords(
    original,
    best,
    original.points.map((p) => p.size),
  );
  if (words === undefined) return record;
  return withView(record, {
    ...view,
    iterations: updateIteration(view.iterations, iteration.iteration, (it) => ({
      ...it,
      candidates: it.candidates.map((c) =>
        c.index !== it.offered || c.explanation?.measured.includes(words)
          ? c
          : { ...c, explanation: { ...c.explanation, measured: [words, ...(c.explanation?.measured ?? [])] } },
      ),
    })),
  });
}

function settleGrowth(growth: GrowthView, outcome: 'done' | 'cancelled' | 'interrupted'): GrowthView {
  const why =
    outcome === 'done'
      ? 'not measured'
      : outcome === 'cancelled'
        ? 'cancelled before it was measured'
        : 'the window closed before it was measured';
  const series = growth.series.map((s): GrowthSeries =>
    s.kind === 'measuring' ? { kind: 'failed', version: s.version, label: s.label, message: `${s.label}: ${why}.` } : s,
  );
  return withSummary({ ...growth, status: outcome, series });
}

function withSummary(growth: Omit<GrowthView, 'summary'>): GrowthView {
  return { ...growth, summary: growthSummary(growth) };
}

/** A stored run that was still going (or still measuring growth) when the window closed. */
export function markInterrupted(record: RunRecord, now: number): RunRecord {
  if (record.view.growth?.status === 'measuring')
    record = withView(record, { ...record.view, growth: settleGrowth(record.view.growth, 'interrupted') });
  if (record.view.phase !== 'running') return record;
  return withView(record, {
    ...record.view,
    phase: 'interrupted',
    finishedAt: now,
    message: 'The window closed or reloaded during this run; it was stopped.',
    iterations: record.view.iterations.map(settleIteration),
  });
}

/**
 * A stored run with its change words said as this version says them: runs stored by an older
 * version carry no words (or older ones), and the panel renders no ratio itself.
 */
export function refreshWords(record: RunRecord): RunRecord {
  const view = record.view;
  const words = (c: CandidateView): CandidateView => {
    if (c.speedup === undefined) return c;
    const { changeWords: _old, ...rest } = c;
    return { ...rest, changeWords: changeWords(c.speedup, c.memoryRatio) };
  };
  const best = (b: BestView | undefined): BestView | undefined => (b === undefined ? undefined : bestWords(b));
  const iterations = view.iterations.map((it) => {
    const b = best(it.best);
    return { ...it, candidates: it.candidates.map(words), ...(b === undefined ? {} : { best: b }) };
  });
  const b = best(view.best);
  return withView(record, { ...view, iterations, ...(b === undefined ? {} : { best: b }) });
}

function bestWords(b: BestView): BestView {
  const { changeWords: _old, ...rest } = b;
  return b.iteration > 0 ? { ...rest, changeWords: changeWords(b.speedup, b.memoryRatio) } : rest;
}

export function summarizeRun(view: RunView): RunSummary {
  return {
    id: view.id,
    kind: view.kind,
    functionName: view.functionName,
    fileLabel: view.fileLabel,
    startedAt: view.startedAt,
    phase: view.phase,
    ...(view.best !== undefined && view.best.iteration > 0
      ? { bestWords: changeWords(view.best.speedup, view.best.memoryRatio) }
      : {}),
  };
}

export function findCandidate(record: RunRecord, iteration: number, index: number): StoredCandidate | undefined {
  return record.candidates.find((c) => c.iteration === iteration && c.index === index);
}

export function measureView(measurement: Measurement): MeasureView {
  const runtime = measurement.runtimeMs;
  const values = runtime.values.filter((v) => Number.isFinite(v));
  return {
    medianMs: runtime.median,
    ...(runtime.p10 !== undefined ? { p10Ms: runtime.p10 } : {}),
    minMs: values.length > 0 ? Math.min(runtime.min, ...values) : runtime.min,
    maxMs: values.length > 0 ? Math.max(...values) : Math.max(runtime.median, runtime.mean),
    meanMs: runtime.mean,
    cv: runtime.cv,
    samples: runtime.samples,
    peakMemoryKb: measurement.peakMemoryKb,
    integralKbMs: measurement.integralKbMs,
    ...(measurement.memoryUnmeasured ? { memoryUnmeasured: true as const } : {}),
    ...(measurement.calls > 0 ? { calls: measurement.calls } : {}),
    ...(measurement.basis === 'inPlace' ? { basis: measurement.basis } : {}),
  };
}

/** The busy-machine note of a run, only when it was busy (see src/core/noise.ts). */
function busyNoteOf(result: SandboxResult): { busyNote?: string } {
  const runtime = result.kind === 'passed' ? result.measurement?.runtimeMs : undefined;
  const verdict = noiseVerdict(noiseFigures(result.machineLoad, runtime));
  return verdict.busy ? { busyNote: busyNote(verdict.reasons) } : {};
}

function reduceBaseline(record: RunRecord, result: SandboxResult, now: number): RunRecord {
  const view = record.view;
  const baseline = baselineView(result);
  const sandboxInfo = {
    sandbox: result.sandbox,
    isolation: result.isolation,
    ...('interpreter' in result && result.interpreter !== undefined ? { interpreter: result.interpreter } : {}),
  };
  if (result.kind === 'passed') {
    const m = baseline.measure;
    const summary = m === undefined ? 'no measurement' : `median ${formatMs(m.medianMs)} over ${m.samples} samples`;
    const tests = `${result.tests.passed} test${result.tests.passed === 1 ? '' : 's'} passed`;
    if (view.kind === 'profile') {
      return withView(record, {
        ...view,
        ...sandboxInfo,
        baseline,
        phase: 'profiled',
        finishedAt: now,
        message: `${tests}; ${summary}.`,
      });
    }
    return withView(record, { ...view, ...sandboxInfo, baseline, message: `Original: ${tests}, ${summary}.` });
  }
  const message = baseline.message ?? 'The original code did not pass.';
  if (view.kind === 'profile') {
    return withView(record, { ...view, ...sandboxInfo, baseline, phase: 'failed', finishedAt: now, message });
  }
  return withView(record, { ...view, ...sandboxInfo, baseline, message });
}

/** The harness's notes, led by "N of M calls recorded" when some calls were not. */
function harnessNotes(
  result: { readonly notes?: readonly string[]; readonly callsMade?: number; readonly coverage?: number },
  recorded: number | undefined,
): { notes?: readonly string[] } {
  const covering =
    result.coverage !== undefined
      ? `; they stand for ${coveragePercent(result.coverage)} of the tests' time in the function`
      : '';
  const counts =
    recorded !== undefined && result.callsMade !== undefined && result.callsMade !== recorded
      ? [`${recorded} of the ${result.callsMade} calls the tests made were recorded and measured${covering}.`]
      : [];
  const notes = [...counts, ...(result.notes ?? [])];
  return notes.length > 0 ? { notes } : {};
}

function baselineView(result: SandboxResult): BaselineView {
  switch (result.kind) {
    case 'passed':
      return {
        status: 'passed',
        tests: result.tests,
        failures: [],
        ...(result.measurement === undefined ? {} : { measure: measureView(result.measurement) }),
        // With no call recorded, the harness's own note says what the in-place figures cover.
        ...harnessNotes(result, result.measurement?.basis === 'inPlace' ? undefined : result.measurement?.calls),
        ...busyNoteOf(result),
      };
    case 'failed':
      return {
        status: 'failed',
        tests: result.tests,
        ...harnessNotes(result, undefined),
        failures: result.failures.map(failureView),
        message: `Tests fail on the original code (${result.tests.failed} failing, ${result.tests.passed} passing): fix them before optimizing.`,
      };
    case 'timeout':
      return {
        status: 'timeout',
        failures: [],
        message: `The original code's tests ran past the ${Math.round(result.limitMs / 1000)} s limit.`,
      };
    case 'memory_limit':
      return {
        status: 'memory_limit',
        failures: [],
        message: `The original code's tests went over the ${result.limitMb} MB memory limit.`,
      };
    case 'crashed':
      return { status: 'crashed', failures: [], message: `The test process crashed: ${result.message}` };
    case 'error':
      return { status: 'error', failures: [], message: result.message };
  }
}

function reduceCandidate(record: RunRecord, report: CandidateReport, context: ReduceContext): RunRecord {
  const change: CandidateChange | undefined =
    report.code.trim().length > 0 ? (context.changeOf?.(report) ?? { code: dedent(report.code) }) : undefined;
  const code = change?.code ?? '';
  const changes =
    code === ''
      ? undefined
      : lineChanges(dedent(record.source.indent + record.source.originalCode), code + (change?.insertedAbove ?? ''));
  const candidate: CandidateView = {
    index: report.index,
    status: report.status,
    verdict: report.verdict.kind,
    reason: report.verdict.reason,
    failures: (report.failures ?? []).map(failureView),
    hasCode: code !== '',
    ...(report.measurement === undefined ? {} : { measure: measureView(report.measurement) }),
    ...(report.speedup === undefined ? {} : { speedup: report.speedup }),
    ...(report.memoryRatio === undefined ? {} : { memoryRatio: report.memoryRatio }),
    ...(report.integralRatio === undefined ? {} : { integralRatio: report.integralRatio }),
    ...(changes === undefined ? {} : { linesAdded: changes.added, linesRemoved: changes.removed }),
    ...(report.speedup === undefined ? {} : { changeWords: changeWords(report.speedup, report.memoryRatio) }),
    ...(report.explanation === undefined
      ? {}
      : {
          explanation: {
            ...(report.explanation.model === undefined ? {} : { model: report.explanation.model }),
            measured: report.explanation.measured,
          },
        }),
  };
  const view = record.view;
  const hasIteration = view.iterations.some((it) => it.iteration === report.iteration);
  const iterations = hasIteration
    ? view.iterations
    : [
        ...view.iterations,
        { iteration: report.iteration, done: false, candidates: [], modelChars: 0, decision: 'undecided' as const },
      ];
  const candidates =
    code === ''
      ? record.candidates
      : [
          ...record.candidates.filter((c) => !(c.iteration === report.iteration && c.index === report.index)),
          {
            iteration: report.iteration,
            index: report.index,
            code,
            ...(change?.insertedAbove ? { insertedAbove: change.insertedAbove } : {}),
          },
        ];
  return {
    ...record,
    candidates,
    view: {
      ...view,
      iterations: updateIteration(iterations, report.iteration, (it) => ({
        ...it,
        candidates: upsertCandidate(it.candidates, candidate),
      })),
    },
  };
}

/**
 * The candidate an iteration offers for Accept: its best accepted one (the loop's best when it came
 * from here), else its best candidate that passed every check and measured better on the goal than
 * both the original and the best so far, so a person can take a gain the acceptance rule called
 * noise. A failing candidate, or one no better than what the run already has, is never offered.
 */
function offeredCandidate(
  iteration: IterationView,
  stored: readonly StoredCandidate[],
  best: BestSoFar,
  goal: Goal,
): number | undefined {
  const score = (c: CandidateView): number =>
    (goal === 'memory' ? c.memoryRatio : goal === 'integral' ? c.integralRatio : c.speedup) ?? 0;
  const pickBest = (list: readonly CandidateView[]): number | undefined =>
    list.length === 0 ? undefined : list.reduce((a, b) => (score(b) > score(a) ? b : a)).index;
  const accepted = iteration.candidates.filter((c) => c.verdict === 'accepted' && c.hasCode);
  if (accepted.length > 0 && best.iteration === iteration.iteration) {
    const same = accepted.find((c) =>
      stored.some(
        (s) => s.iteration === iteration.iteration && s.index === c.index && s.code.trim() === dedent(best.code).trim(),
      ),
    );
    if (same) return same.index;
  }
  const bestScore = goal === 'memory' ? best.memoryRatio : goal === 'integral' ? best.integralRatio : best.speedup;
  return (
    pickBest(accepted) ??
    pickBest(
      iteration.candidates.filter((c) => c.status === 'passed' && c.hasCode && score(c) > Math.max(1, bestScore)),
    )
  );
}

function settleIteration(iteration: IterationView): IterationView {
  const candidates = iteration.candidates.map((c) =>
    c.verdict === 'pending'
      ? {
          ...c,
          verdict: 'rejected' as const,
          status: c.status === 'measuring' ? ('error' as const) : c.status,
          reason: 'not finished: the run stopped',
        }
      : c,
  );
  return { ...iteration, done: true, candidates };
}

function bestView(best: BestSoFar): BestView {
  return bestWords({
    iteration: best.iteration,
    medianMs: best.measurement.runtimeMs.median,
    speedup: best.speedup,
    memoryRatio: best.memoryRatio,
    integralRatio: best.integralRatio,
  });
}

function failureView(failure: FailureView): FailureView {
  return {
    test: failure.test,
    message: failure.message.length > 2000 ? failure.message.slice(0, 2000) + '…' : failure.message,
  };
}

function updateIteration(
  iterations: readonly IterationView[],
  index: number,
  update: (it: IterationView) => IterationView,
): readonly IterationView[] {
  return iterations.map((it) => (it.iteration === index ? update(it) : it));
}

function upsertCandidate(candidates: readonly CandidateView[], candidate: CandidateView): readonly CandidateView[] {
  const rest = candidates.filter((c) => c.index !== candidate.index);
  return [...rest, candidate].sort((a, b) => a.index - b.index);
}

function withView(record: RunRecord, view: RunView): RunRecord {
  return { ...record, view };
}
