/**
 * The Afterburner loop: measure the original, then each iteration ask the model for K candidates
 * with the best version's measurements as feedback, check every candidate in the sandbox against
 * the original's tests and recorded calls, measure the passing ones, and keep the best. Events
 * report every step; consumers (the panel, the CLI) only listen.
 */
import type { BestSoFar, CandidateReport, Clock, LoopEvent, OptimizeRequest } from './loopTypes';
import type { CompletionResult, LanguageModel } from './modelTypes';
import type { Measurement, Recording, Sandbox, SandboxJob, SandboxResult, SourceFile } from './sandboxTypes';
import { decideAcceptance, sideBySideSpeedFactor } from './acceptance';
import { buildCandidateModule } from './candidateModule';
import { normalizeCode } from './codeNormalize';
import { extractCandidate } from './extractCode';
import { withReferenceModule } from './referenceModule';
import { gatherContext } from './functionContext';
import { buildMessages, type PreviousAttempt } from './prompts';
import { describeSandboxFailure } from './resultWords';
import { errorMessage } from './errorMessage';

/**
 * Timing budget of a candidate's check, unless the request sets one. Side by side, the harness
 * takes at least 20 ABBA pairs within twice this budget; paired samples cancel the machine's drift,
 * so a short budget already separates a 1.2× difference (npm run bench) and keeps the loop's own
 * time per iteration low. The baseline profile keeps the harness default (1.5 s).
 */
const CHECK_BUDGET_MS = 150;

export interface LoopDeps {
  readonly sandbox: Sandbox;
  readonly model: LanguageModel;
  readonly clock?: Clock;
  /** Diagnostics for the CLI's stderr or the extension's output channel. */
  readonly log?: (message: string) => void;
}

/** Iterations in a row without an accepted candidate after which the loop stops early. */
export const PLATEAU_ITERATIONS = 2;
/** Sampling temperature when several candidates are asked for (they should differ). */
export const DIVERSE_TEMPERATURE = 0.8;
export const SINGLE_TEMPERATURE = 0.2;

class Cancelled extends Error {}

export async function* optimize(
  deps: LoopDeps,
  request: OptimizeRequest,
  signal?: AbortSignal,
): AsyncGenerator<LoopEvent> {
  const { sandbox, model } = deps;
  const clock = deps.clock ?? { now: () => Date.now() };
  const log = deps.log ?? (() => undefined);
  const described = sandbox.describe();
  yield {
    type: 'started',
    sandbox: described.sandbox,
    isolation: described.isolation,
    model: model.describe(),
    goal: request.goal,
  };

  const moduleFile = request.files.find((f) => f.path === request.modulePath);
  const context = moduleFile ? gatherContext(request.language, moduleFile.content, request.target) : undefined;
  if (!moduleFile || !context) {
    yield {
      type: 'finished',
      outcome: 'failed',
      reason: moduleFile
        ? `There is no function named ${request.target} in ${request.modulePath}. Next step: check the name (use Class.method for methods).`
        : `${request.modulePath} is not among the files sent to the sandbox.`,
    };
    return;
  }

  const started = clock.now();
  let baseline: SandboxResult;
  try {
    baseline = await runInSandbox(sandbox, baseJob(request, request.files, { kind: 'profile' }), signal);
  } catch (error) {
    yield error instanceof Cancelled ? cancelledEvent(undefined) : failedToRun(error);
    return;
  }
  yield { type: 'baseline', result: baseline };
  log(`baseline: ${baseline.kind} in ${Math.round(clock.now() - started)} ms`);
  if (baseline.kind !== 'passed') {
    yield { type: 'finished', outcome: 'failed', reason: describeSandboxFailure(baseline, 'The original') };
    return;
  }
  if (!baseline.measurement || !baseline.recording) {
    yield {
      type: 'finished',
      outcome: 'failed',
      reason: `The original passed ${baseline.tests.passed} test(s), but ${baseline.recording ? 'no measurement' : 'no call to ' + request.target + ' was recorded'}. Next step: make sure the tests call ${request.target}.`,
    };
    return;
  }
  const recording: Recording = baseline.recording;
  const baseMeasurement = baseline.measurement;
  const tests = request.testPaths.flatMap((path) => request.files.filter((f) => f.path === path));
  let best: BestSoFar = {
    iteration: 0,
    code: context.functionCode,
    moduleText: moduleFile.content,
    measurement: baseMeasurement,
    speedup: 1,
    memoryRatio: 1,
    integralRatio: 1,
  };
  const bestTests = { value: baseline.tests };
  const tried = new Map<string, string>([[normalizeCode(request.language, context.functionCode), 'the original']]);
  let previous: PreviousAttempt[] = [];
  let iterationsWithoutGain = 0;

  for (let iteration = 1; iteration <= request.iterations; iteration++) {
    if (signal?.aborted) {
      yield cancelledEvent(best);
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
      best: { ...best, tests: bestTests.value },
      previous,
    });
    const attempts: PreviousAttempt[] = [];
    let accepted = false;
    for (let index = 1; index <= request.candidates; index++) {
      const temperature = request.candidates > 1 ? DIVERSE_TEMPERATURE : SINGLE_TEMPERATURE;
      const fragments: string[] = [];
      let wake: (() => void) | undefined;
      let reply: CompletionResult | undefined;
      // The port never throws, but a broken adapter must not take the loop down with it.
      void model
        .complete(
          messages,
          {
            temperature,
            onText: (fragment) => {
              fragments.push(fragment);
              wake?.();
            },
          },
          signal,
        )
        .catch((error: unknown): CompletionResult => ({
          kind: 'error',
          error: signal?.aborted ? 'cancelled' : 'unavailable',
          message: errorMessage(error),
        }))
        .then((r) => {
          reply = r;
          wake?.();
        });
      // Relay streamed text while the completion runs.
      for (;;) {
        if (fragments.length > 0) {
          yield { type: 'modelText', iteration, text: fragments.splice(0).join('') };
          continue;
        }
        if (reply !== undefined) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      const result: CompletionResult = reply;

      if (result.kind === 'error') {
        if (result.error === 'cancelled' || signal?.aborted) {
          yield cancelledEvent(best);
          return;
        }
        if (result.error === 'auth' || result.error === 'bad_request') {
          yield {
            type: 'finished',
            outcome: best.iteration > 0 ? 'improved' : 'failed',
            reason: `The model cannot be used: ${result.message}`,
            best,
          };
          return;
        }
        const report = rejected(
          iteration,
          index,
          'model_error',
          '',
          `rejected: the model did not answer (${result.message})`,
        );
        yield { type: 'candidateMeasured', candidate: report };
        attempts.push(toAttempt(report));
        continue;
      }

      const extraction = extractCandidate(request.language, result.text, request.target);
      if (extraction.kind === 'no_code') {
        const report = rejected(iteration, index, 'no_code', '', extraction.reason);
        yield { type: 'candidateMeasured', candidate: report };
        attempts.push(toAttempt(report));
        continue;
      }
      const code = extraction.candidate.code;
      yield { type: 'candidateProposed', iteration, index, code };

      const key = normalizeCode(request.language, code);
      const seen = tried.get(key);
      if (seen !== undefined) {
        const report = rejected(
          iteration,
          index,
          'duplicate',
          code,
          `rejected: identical to ${seen}, not measured again`,
        );
        yield { type: 'candidateMeasured', candidate: report };
        attempts.push(toAttempt(report));
        continue;
      }
      tried.set(key, `candidate ${index} of iteration ${iteration}`);

      const built = buildCandidateModule(request.language, moduleFile.content, request.target, extraction.candidate);
      if (built.kind === 'error') {
        const report = rejected(iteration, index, 'error', code, `rejected: ${built.reason}`);
        yield { type: 'candidateMeasured', candidate: report };
        attempts.push(toAttempt(report));
        continue;
      }
      const candidateFiles = request.files.map((f): SourceFile =>
        f.path === request.modulePath ? { path: f.path, content: built.moduleText } : f,
      );
      // The best so far (the original in iteration 1) rides along as the reference: the harness
      // measures it beside the candidate, and the acceptance rule compares those paired samples.
      const { files, referencePath } = withReferenceModule(candidateFiles, request.modulePath, best.moduleText);
      let checked: SandboxResult;
      try {
        const job = baseJob(request, files, { kind: 'check', recording, reference: { modulePath: referencePath } });
        checked = await runInSandbox(
          sandbox,
          { ...job, measure: { budgetMs: CHECK_BUDGET_MS, ...job.measure } },
          signal,
        );
      } catch (error) {
        if (error instanceof Cancelled) {
          yield cancelledEvent(best);
          return;
        }
        const report = rejected(
          iteration,
          index,
          'error',
          code,
          `rejected: the sandbox could not run it (${errorMessage(error)})`,
          built.moduleText,
        );
        yield { type: 'candidateMeasured', candidate: report };
        attempts.push(toAttempt(report));
        continue;
      }

      const report = judge(request.goal, baseMeasurement, best, iteration, index, code, built.moduleText, checked);
      yield { type: 'candidateMeasured', candidate: report };
      attempts.push(toAttempt(report));
      if (report.verdict.kind === 'accepted' && report.measurement && checked.kind === 'passed') {
        accepted = true;
        best = {
          iteration,
          code,
          moduleText: built.moduleText,
          measurement: report.measurement,
          speedup: report.speedup ?? 1,
          memoryRatio: report.memoryRatio ?? 1,
          integralRatio: report.integralRatio ?? 1,
        };
        bestTests.value = checked.tests;
      }
    }
    yield { type: 'iterationDone', iteration, best };
    previous = attempts;
    iterationsWithoutGain = accepted ? 0 : iterationsWithoutGain + 1;
    if (iterationsWithoutGain >= PLATEAU_ITERATIONS && iteration < request.iterations) {
      yield finishedEvent(
        best,
        `Stopped after iteration ${iteration}: ${PLATEAU_ITERATIONS} iterations in a row without an accepted candidate.`,
      );
      return;
    }
  }
  yield finishedEvent(best, `Ran all ${request.iterations} iteration(s).`);
}

function finishedEvent(best: BestSoFar, why: string): LoopEvent {
  if (best.iteration === 0) {
    return {
      type: 'finished',
      outcome: 'no_improvement',
      reason: `${why} No candidate beat the original by a significant margin.`,
      best,
    };
  }
  return {
    type: 'finished',
    outcome: 'improved',
    reason: `${why} Best: iteration ${best.iteration}, ${best.speedup.toFixed(2)}× the original's speed, ${best.memoryRatio.toFixed(2)}× its memory ratio.`,
    best,
  };
}

function cancelledEvent(best: BestSoFar | undefined): LoopEvent {
  return best
    ? { type: 'finished', outcome: 'cancelled', reason: 'Cancelled.', best }
    : { type: 'finished', outcome: 'cancelled', reason: 'Cancelled.' };
}

function failedToRun(error: unknown): LoopEvent {
  return {
    type: 'finished',
    outcome: 'failed',
    reason: `The sandbox could not run the original: ${errorMessage(error)}`,
  };
}

function baseJob(request: OptimizeRequest, files: readonly SourceFile[], mode: SandboxJob['mode']): SandboxJob {
  return {
    language: request.language.id,
    files,
    modulePath: request.modulePath,
    testPaths: request.testPaths,
    target: request.target,
    mode,
    limits: request.limits,
    ...(request.measure ? { measure: request.measure } : {}),
    ...(request.workspaceRoot !== undefined ? { workspaceRoot: request.workspaceRoot } : {}),
    ...(request.project !== undefined ? { project: request.project } : {}),
  };
}

/** Runs a job; resolves promptly on cancel (even if the adapter is slow to notice) by throwing Cancelled. */
async function runInSandbox(
  sandbox: Sandbox,
  job: SandboxJob,
  signal: AbortSignal | undefined,
): Promise<SandboxResult> {
  if (signal?.aborted) throw new Cancelled();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Cancelled());
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([sandbox.run(job, signal), aborted]);
  } catch (error) {
    if (signal?.aborted) throw new Cancelled();
    throw error;
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    aborted.catch(() => undefined);
  }
}

/** Ratio > 1 is better. Memory figures are floored at 1 unit so near-zero allocations stay sane. */
function ratio(baseline: number, candidate: number, floor: number): number {
  return Math.max(baseline, floor) / Math.max(candidate, floor);
}

interface Ratios {
  readonly speedup: number;
  readonly memoryRatio: number;
  readonly integralRatio: number;
}

/**
 * Ratios against the original. Measured beside the best so far, they are chained: the best's
 * ratio times the candidate's side-by-side ratio over the best, so drift between runs stays out of
 * the figures too, and a candidate accepted as faster than the best always shows a larger speed-up.
 * Without a side-by-side measurement: the candidate against the original's run.
 */
function ratios(base: Measurement, best: BestSoFar, m: Measurement, reference: Measurement | undefined): Ratios {
  const factor = reference ? sideBySideSpeedFactor(m, reference) : undefined;
  if (reference && factor !== undefined) {
    return {
      speedup: best.speedup * factor,
      memoryRatio: best.memoryRatio * ratio(reference.peakMemoryKb, m.peakMemoryKb, 1),
      integralRatio: best.integralRatio * ratio(reference.integralKbMs, m.integralKbMs, 1),
    };
  }
  return {
    speedup: ratio(base.runtimeMs.median, m.runtimeMs.median, 1e-6),
    memoryRatio: ratio(base.peakMemoryKb, m.peakMemoryKb, 1),
    integralRatio: ratio(base.integralKbMs, m.integralKbMs, 1),
  };
}

function judge(
  goal: OptimizeRequest['goal'],
  base: Measurement,
  best: BestSoFar,
  iteration: number,
  index: number,
  code: string,
  moduleText: string,
  result: SandboxResult,
): CandidateReport {
  if (result.kind !== 'passed') {
    const failures = result.kind === 'failed' ? result.failures : undefined;
    return {
      iteration,
      index,
      code,
      moduleText,
      status: result.kind,
      verdict: { kind: 'rejected', reason: `rejected: ${describeSandboxFailure(result, 'it', false)}` },
      ...(failures ? { failures } : {}),
    };
  }
  if (!result.measurement) {
    return {
      iteration,
      index,
      code,
      moduleText,
      status: 'passed',
      verdict: { kind: 'rejected', reason: 'rejected: it passed but the sandbox returned no measurement' },
    };
  }
  const decision = decideAcceptance(goal, best.measurement, result.measurement, result.referenceMeasurement);
  return {
    iteration,
    index,
    code,
    moduleText,
    status: 'passed',
    verdict: { kind: decision.kind === 'accept' ? 'accepted' : 'rejected', reason: decision.reason },
    measurement: result.measurement,
    ...ratios(base, best, result.measurement, result.referenceMeasurement),
  };
}

function rejected(
  iteration: number,
  index: number,
  status: CandidateReport['status'],
  code: string,
  reason: string,
  moduleText?: string,
): CandidateReport {
  return {
    iteration,
    index,
    code,
    status,
    verdict: { kind: 'rejected', reason },
    ...(moduleText !== undefined ? { moduleText } : {}),
  };
}

function toAttempt(report: CandidateReport): PreviousAttempt {
  return {
    index: report.index,
    status: report.status,
    reason: report.verdict.reason,
    code: report.code,
    ...(report.failures ? { failures: report.failures } : {}),
    ...(report.measurement ? { measurement: report.measurement } : {}),
  };
}
