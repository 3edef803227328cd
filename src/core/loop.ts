/**
 * The Afterburner loop: measure the original, then each iteration ask the model for K candidates
 * with the best version's measurements (and the previous round's failures) as feedback, check
 * every candidate in the sandbox against the original's tests and recorded calls, and keep the
 * best. Failed or unusable answers are repaired in the next iteration; the run stops when every
 * iteration ran or when passing candidates stop beating the best (`stopRule.ts`). Events report
 * every step; consumers (the panel, the CLI) only listen.
 */
import type { BestSoFar, LoopEvent, OptimizeRequest } from './loopTypes';
import type { LanguageModel } from './modelTypes';
import type { Sandbox, SandboxResult, TestCounts } from './sandboxTypes';
import type { Progress } from './candidateJudge';
import { candidateStep, type RunContext } from './candidateStep';
import { normalizeCode } from './codeNormalize';
import { errorMessage } from './errorMessage';
import { gatherContext } from './functionContext';
import { buildMessages, toAttempt, type PreviousAttempt } from './prompts';
import { describeSandboxFailure } from './resultWords';
import { Cancelled, runInSandbox, sandboxJob } from './sandboxRun';
import {
  DEFAULT_PATIENCE,
  completedWords,
  finishedEvent,
  iterationKind,
  nextPlateau,
  patienceRanOut,
  plateauWords,
  type PlateauState,
} from './stopRule';

export interface LoopDeps {
  readonly sandbox: Sandbox;
  readonly model: LanguageModel;
  readonly clock?: { now(): number };
  /** Diagnostics for the CLI's stderr or the extension's output channel. */
  readonly log?: (message: string) => void;
}

/** Sampling temperature when several candidates are asked for (they should differ). */
export const DIVERSE_TEMPERATURE = 0.8;
export const SINGLE_TEMPERATURE = 0.2;

export async function* optimize(
  deps: LoopDeps,
  request: OptimizeRequest,
  signal?: AbortSignal,
): AsyncGenerator<LoopEvent> {
  const { sandbox, model } = deps;
  const described = sandbox.describe();
  yield {
    type: 'started',
    sandbox: described.sandbox,
    isolation: described.isolation,
    model: model.describe(),
    goal: request.goal,
  };

  const start = yield* measureOriginal(deps, request, signal);
  if (start.kind === 'stopped') return;
  const { run, baselineTests } = start;
  let best: BestSoFar = {
    iteration: 0,
    code: run.original.code,
    moduleText: run.original.moduleText,
    measurement: run.original.measurement,
    speedup: 1,
    memoryRatio: 1,
    integralRatio: 1,
    changedLines: 0,
  };
  let bestTests: TestCounts = baselineTests;
  let previous: PreviousAttempt[] = [];
  let plateau: PlateauState = { flat: 0, repairs: 0 };
  const patience = request.patience ?? DEFAULT_PATIENCE;
  const tests = request.testPaths.flatMap((path) => request.files.filter((f) => f.path === path));
  const context = start.context;

  for (let iteration = 1; iteration <= request.iterations; iteration++) {
    if (signal?.aborted) {
      yield finishedEvent('cancelled', best, '');
      return;
    }
    yield { type: 'iterationStarted', iteration };
    const messages = buildMessages({
      language: request.language,
      goal: request.goal,
      target: request.target,
      modulePath: request.modulePath,
      context,
      tests,
      best: { ...best, tests: bestTests },
      previous,
      original: run.original.measurement,
    });
    const attempts: PreviousAttempt[] = [];
    const progress: Progress[] = [];
    for (let index = 1; index <= request.candidates; index++) {
      const temperature = request.candidates > 1 ? DIVERSE_TEMPERATURE : SINGLE_TEMPERATURE;
      const outcome = yield* candidateStep(run, { iteration, index, messages, temperature, best });
      if (outcome.kind !== 'judged') {
        yield outcome.kind === 'cancelled'
          ? finishedEvent('cancelled', best, '')
          : finishedEvent('model_unusable', best, `The model cannot be used: ${outcome.message}`);
        return;
      }
      attempts.push(toAttempt(outcome.report));
      progress.push(outcome.progress);
      const report = outcome.report;
      if (report.verdict.kind === 'accepted' && report.measurement && report.moduleText !== undefined) {
        best = {
          iteration,
          code: report.code,
          moduleText: report.moduleText,
          measurement: report.measurement,
          speedup: report.speedup ?? 1,
          memoryRatio: report.memoryRatio ?? 1,
          integralRatio: report.integralRatio ?? 1,
          ...(report.explanation ? { explanation: report.explanation } : {}),
          ...(report.changedLines !== undefined ? { changedLines: report.changedLines } : {}),
        };
        if (outcome.tests) bestTests = outcome.tests;
      }
    }
    yield { type: 'iterationDone', iteration, best };
    // A round the model could not answer at all taught nothing: keep the failures before it too.
    previous = attempts.every((a) => a.status === 'model_error') ? [...previous, ...attempts] : attempts;
    plateau = nextPlateau(plateau, iterationKind(progress));
    if (patienceRanOut(plateau, patience) && iteration < request.iterations) {
      yield finishedEvent('plateau', best, plateauWords(iteration, patience));
      return;
    }
  }
  yield finishedEvent('completed', best, completedWords(request.iterations, plateau));
}

type Start =
  | {
      readonly kind: 'measured';
      readonly run: RunContext;
      readonly context: NonNullable<ReturnType<typeof gatherContext>>;
      readonly baselineTests: TestCounts;
    }
  | { readonly kind: 'stopped' };

/** The original's profile run: the recording every candidate is checked against, and its numbers. */
async function* measureOriginal(
  deps: LoopDeps,
  request: OptimizeRequest,
  signal: AbortSignal | undefined,
): AsyncGenerator<LoopEvent, Start> {
  const clock = deps.clock ?? { now: () => Date.now() };
  const failed = (reason: string): LoopEvent => ({
    type: 'finished',
    outcome: 'failed',
    stop: 'original_failed',
    reason,
  });
  const moduleFile = request.files.find((f) => f.path === request.modulePath);
  const context = moduleFile ? gatherContext(request.language, moduleFile.content, request.target) : undefined;
  if (!moduleFile || !context) {
    yield failed(
      moduleFile
        ? `There is no function named ${request.target} in ${request.modulePath}. Next step: check the name (use Class.method for methods).`
        : `${request.modulePath} is not among the files sent to the sandbox.`,
    );
    return { kind: 'stopped' };
  }
  const started = clock.now();
  let baseline: SandboxResult;
  try {
    baseline = await runInSandbox(deps.sandbox, sandboxJob(request, request.files, { kind: 'profile' }), signal);
  } catch (error) {
    yield error instanceof Cancelled
      ? { type: 'finished', outcome: 'cancelled', stop: 'cancelled', reason: 'Cancelled.' }
      : failed(`The sandbox could not run the original: ${errorMessage(error)}`);
    return { kind: 'stopped' };
  }
  yield { type: 'baseline', result: baseline };
  deps.log?.(`baseline: ${baseline.kind} in ${Math.round(clock.now() - started)} ms`);
  if (baseline.kind !== 'passed') {
    yield failed(describeSandboxFailure(baseline, 'The original'));
    return { kind: 'stopped' };
  }
  if (!baseline.measurement || !baseline.recording) {
    yield failed(
      `The original passed ${baseline.tests.passed} test(s), but ${baseline.recording ? 'no measurement' : 'no call to ' + request.target + ' was recorded'}. Next step: make sure the tests call ${request.target}.`,
    );
    return { kind: 'stopped' };
  }
  const run: RunContext = {
    request,
    sandbox: deps.sandbox,
    model: deps.model,
    original: {
      moduleText: moduleFile.content,
      code: context.functionCode,
      measurement: baseline.measurement,
      recording: baseline.recording,
    },
    tried: new Map([[normalizeCode(request.language, context.functionCode), 'the original']]),
    ...(signal ? { signal } : {}),
  };
  return { kind: 'measured', run, context, baselineTests: baseline.tests };
}
