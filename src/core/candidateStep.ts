/**
 * One candidate, start to verdict: ask the model, take the code out of the reply, skip what was
 * tried before, splice it into the module, check it in the sandbox beside the best so far, judge
 * it. Every way to fail ends in the same place (`reject`): a `candidateMeasured` event with the
 * reason, and the loop goes on.
 */
import type { BestSoFar, CandidateExplanation, CandidateReport, LoopEvent, OptimizeRequest } from './loopTypes';
import type { ChatMessage, LanguageModel } from './modelTypes';
import type { Measurement, Recording, Sandbox, SandboxResult, TestCounts } from './sandboxTypes';
import { buildCandidateModule } from './candidateModule';
import { judgeCandidate, type Progress } from './candidateJudge';
import { normalizeCode } from './codeNormalize';
import { changedLines } from './diffSize';
import { errorMessage } from './errorMessage';
import { explainCandidate } from './explanation';
import { extractCandidate } from './extractCode';
import { streamReply } from './modelReply';
import { withReferenceModule } from './referenceModule';
import { Cancelled, runInSandbox, sandboxJob, withModuleText } from './sandboxRun';

/**
 * Timing budget of a candidate's check, unless the request sets one. Side by side, the harness
 * takes at least 20 ABBA pairs within twice this budget; paired samples cancel the machine's drift,
 * so a short budget already separates a 1.2× difference (npm run bench) and keeps the loop's own
 * time per iteration low. The baseline profile keeps the harness default (1.5 s).
 */
export const CHECK_BUDGET_MS = 150;

/** What stays fixed for every candidate of a run. */
export interface RunContext {
  readonly request: OptimizeRequest;
  readonly sandbox: Sandbox;
  readonly model: LanguageModel;
  readonly original: {
    readonly moduleText: string;
    readonly code: string;
    readonly measurement: Measurement;
    readonly recording: Recording;
  };
  /** Normalised code → where it was first seen ("the original", "candidate 1 of iteration 2"). */
  readonly tried: Map<string, string>;
  readonly signal?: AbortSignal;
}

export interface CandidateSlot {
  readonly iteration: number;
  readonly index: number;
  readonly messages: readonly ChatMessage[];
  readonly temperature: number;
  readonly best: BestSoFar;
}

export type StepOutcome =
  | {
      readonly kind: 'judged';
      readonly report: CandidateReport;
      readonly progress: Progress;
      readonly tests?: TestCounts;
    }
  | { readonly kind: 'cancelled' }
  /** Auth or a rejected request: no later call can do better, so the run ends. */
  | { readonly kind: 'model_unusable'; readonly message: string };

export async function* candidateStep(run: RunContext, slot: CandidateSlot): AsyncGenerator<LoopEvent, StepOutcome> {
  const { request, signal } = run;
  const { iteration, index } = slot;
  const reject = function* (
    status: CandidateReport['status'],
    reason: string,
    extra: Partial<CandidateReport> = {},
  ): Generator<LoopEvent, StepOutcome> {
    const report: CandidateReport = {
      iteration,
      index,
      code: '',
      ...extra,
      status,
      verdict: { kind: 'rejected', reason },
    };
    yield { type: 'candidateMeasured', candidate: report };
    return { kind: 'judged', report, progress: 'failed' };
  };

  const stream = streamReply(run.model, slot.messages, slot.temperature, signal);
  let next = await stream.next();
  while (!next.done) {
    yield { type: 'modelText', iteration, text: next.value };
    next = await stream.next();
  }
  const reply = next.value;
  if (reply.kind === 'error') {
    if (reply.error === 'cancelled' || signal?.aborted) return { kind: 'cancelled' };
    if (reply.error === 'auth' || reply.error === 'bad_request')
      return { kind: 'model_unusable', message: reply.message };
    return yield* reject('model_error', `rejected: the model did not answer (${reply.message})`);
  }

  const words = explainCandidate(reply.text, undefined, undefined);
  const extraction = extractCandidate(request.language, reply.text, request.target);
  if (extraction.kind === 'no_code') return yield* reject('no_code', extraction.reason, { explanation: words });
  const code = extraction.candidate.code;
  yield { type: 'candidateProposed', iteration, index, code };
  const explained = { code, explanation: words, changedLines: changedLines(run.original.code, code) };

  const key = normalizeCode(request.language, code);
  const seen = run.tried.get(key);
  if (seen !== undefined)
    return yield* reject('duplicate', `rejected: identical to ${seen}, not measured again`, explained);
  run.tried.set(key, `candidate ${index} of iteration ${iteration}`);

  const built = buildCandidateModule(request.language, run.original.moduleText, request.target, extraction.candidate);
  if (built.kind === 'error') return yield* reject('error', `rejected: ${built.reason}`, explained);
  const withModule = { ...explained, moduleText: built.moduleText };

  let checked: SandboxResult;
  try {
    checked = await check(run, slot.best, built.moduleText);
  } catch (error) {
    if (error instanceof Cancelled) return { kind: 'cancelled' };
    return yield* reject('error', `rejected: the sandbox could not run it (${errorMessage(error)})`, withModule);
  }

  const judged = judgeCandidate({
    goal: request.goal,
    original: run.original.measurement,
    best: slot.best,
    result: checked,
    changedLines: explained.changedLines,
  });
  const { progress, ...fields } = judged;
  const explanation: CandidateExplanation = judged.measurement
    ? explainCandidate(reply.text, run.original.measurement, judged.measurement)
    : words;
  const report: CandidateReport = { iteration, index, ...withModule, ...fields, explanation };
  yield { type: 'candidateMeasured', candidate: report };
  return { kind: 'judged', report, progress, ...(checked.kind === 'passed' ? { tests: checked.tests } : {}) };
}

/**
 * The candidate's module in place of the original, against the original's tests and recorded
 * calls. The best so far (the original in iteration 1) rides along as the reference: the harness
 * measures it beside the candidate, and the acceptance rule compares those paired samples.
 */
function check(run: RunContext, best: BestSoFar, moduleText: string): Promise<SandboxResult> {
  const { request } = run;
  const { files, referencePath } = withReferenceModule(
    withModuleText(request, moduleText),
    request.modulePath,
    best.moduleText,
  );
  const job = sandboxJob(request, files, {
    kind: 'check',
    recording: run.original.recording,
    reference: { modulePath: referencePath },
  });
  return runInSandbox(run.sandbox, { ...job, measure: { budgetMs: CHECK_BUDGET_MS, ...job.measure } }, run.signal);
}
