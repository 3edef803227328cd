/**
 * Runs an evaluation: for each problem, every reference solution and the answer are run as the
 * module under test with the same tests, in `profile` mode, on the same worker's sandbox, in this
 * run; then the answer is checked against the first passing reference's recorded calls (`check`
 * mode) and scored (evalMetrics.ts). Problems are spread over a pool of workers, each with its own
 * sandbox (several Docker engines = several sandboxes). Pure orchestration over the Sandbox port.
 */
import { compareComplexity } from './complexityFit';
import { problemJob } from './evalJobs';
import { normalizeCode } from './codeNormalize';
import {
  DEFAULT_TIE_RULE,
  figuresOf,
  identicalPassingReference,
  passingReferenceFigures,
  scoreProblem,
  type TieRule,
} from './evalMetrics';
import type {
  CodeOutcome,
  DifferentialCheck,
  EvalProblem,
  IterationPoint,
  OptimizationRun,
  ProblemResult,
} from './evalTypes';
import type { LanguageLookup } from './languageSupport';
import type { Limits, MeasureOptions, Recording, Sandbox, SandboxResult, SizePoint } from './sandboxTypes';
import { errorMessage } from './errorMessage';

/** Where the answer of a problem comes from. */
export type ProvidedAnswer =
  | { readonly kind: 'code'; readonly code: string }
  /**
   * An optimisation run: its final code, the best code and its outcome (as the loop measured it)
   * after each iteration (0 = the start), and how the run ended.
   */
  | {
      readonly kind: 'optimized';
      readonly code: string;
      readonly iterations: readonly {
        readonly iteration: number;
        readonly code: string;
        readonly outcome: CodeOutcome;
      }[];
      readonly run: OptimizationRun;
    }
  | { readonly kind: 'none'; readonly reason: string };

export interface AnswerContext {
  readonly sandbox: Sandbox;
  readonly signal?: AbortSignal;
}

export type AnswerProvider = (problem: EvalProblem, context: AnswerContext) => Promise<ProvidedAnswer>;

export type EvalEvent =
  | { readonly type: 'problemStarted'; readonly id: string; readonly worker: number }
  | { readonly type: 'runFinished'; readonly id: string; readonly what: string; readonly status: string }
  | { readonly type: 'problemDone'; readonly result: ProblemResult; readonly done: number; readonly total: number };

export interface EvalRunOptions {
  /** Problems run in parallel; each worker uses `sandboxes[worker % sandboxes.length]`. */
  readonly workers: number;
  /** The language support of a problem's language. */
  readonly languages: LanguageLookup;
  readonly limits: Limits;
  readonly measure?: MeasureOptions;
  readonly tieRule?: TieRule;
  /** Ids already done (from the results file): not run again. */
  readonly skip?: ReadonlySet<string>;
  /** Run the answer in `check` mode against the first passing reference's recording. Default true. */
  readonly differentialCheck?: boolean;
  readonly onEvent?: (event: EvalEvent) => void;
  readonly signal?: AbortSignal;
}

/** Evaluate `problems` (minus `skip`); resolves with the new results in completion order. */
export async function runEvaluation(
  problems: readonly EvalProblem[],
  sandboxes: readonly Sandbox[],
  answerFor: AnswerProvider,
  options: EvalRunOptions,
): Promise<ProblemResult[]> {
  if (sandboxes.length === 0) throw new Error('runEvaluation needs at least one sandbox');
  const todo = problems.filter((p) => !options.skip?.has(p.id));
  const results: ProblemResult[] = [];
  let next = 0;
  const workerCount = Math.max(1, Math.min(options.workers, todo.length));
  const worker = async (index: number): Promise<void> => {
    const sandbox = sandboxes[index % sandboxes.length] as Sandbox;
    while (next < todo.length && !options.signal?.aborted) {
      const problem = todo[next++] as EvalProblem;
      options.onEvent?.({ type: 'problemStarted', id: problem.id, worker: index });
      const result = await evaluateProblem(problem, sandbox, answerFor, options);
      if (options.signal?.aborted) return;
      results.push(result);
      options.onEvent?.({ type: 'problemDone', result, done: results.length, total: todo.length });
    }
  };
  await Promise.all(Array.from({ length: workerCount }, (_, i) => worker(i)));
  return results;
}

interface Ran {
  readonly outcome: CodeOutcome;
  readonly recording?: Recording;
  readonly sizes?: readonly SizePoint[];
  readonly wallMs: number;
}

/** Runs one program of a problem on the worker's sandbox and reports it as an event. */
type ProgramRunner = (code: string, what: string, mode: Parameters<typeof problemJob>[3]['mode']) => Promise<Ran>;

/** One problem on one sandbox: references, answer, differential check, scores. */
export async function evaluateProblem(
  problem: EvalProblem,
  sandbox: Sandbox,
  answerFor: AnswerProvider,
  options: EvalRunOptions,
): Promise<ProblemResult> {
  const language = options.languages(problem.language);
  const run: ProgramRunner = async (code, what, mode) => {
    const job = problemJob(language, problem, code, {
      mode,
      limits: options.limits,
      ...(options.measure ? { measure: options.measure } : {}),
    });
    const result = await runSafely(sandbox, job, options.signal);
    options.onEvent?.({ type: 'runFinished', id: problem.id, what, status: result.kind });
    return toRan(result);
  };
  const refs = await runReferences(problem, run);
  const provided = await answerFor(problem, { sandbox, ...(options.signal ? { signal: options.signal } : {}) });
  const code = provided.kind === 'none' ? '' : provided.code;
  const answer: Ran =
    provided.kind === 'none'
      ? { outcome: { kind: 'failed', status: 'no_answer', message: provided.reason }, wallMs: 0 }
      : await run(code, 'answer', { kind: 'profile' });
  const differential = await checkAgainstReference(run, code, answer, refs.firstPassing, options.differentialCheck);

  const rule = options.tieRule ?? DEFAULT_TIE_RULE;
  const referenceFigures = passingReferenceFigures(refs.outcomes);
  const normalize = (text: string): string => normalizeCode(language, text);
  const codes = problem.solutions.map((s) => s.code);
  const identical =
    provided.kind === 'none' ? undefined : identicalPassingReference(refs.outcomes, codes, code, normalize);
  const score = (outcome: CodeOutcome, programCode: string) =>
    scoreProblem(
      outcome,
      referenceFigures,
      rule,
      identicalPassingReference(refs.outcomes, codes, programCode, normalize),
    );
  const iterations = provided.kind === 'optimized' ? iterationCurve(provided, answer, normalize, score) : undefined;
  const complexity =
    refs.firstPassing?.sizes && answer.sizes ? compareComplexity(refs.firstPassing.sizes, answer.sizes) : undefined;
  return {
    id: problem.id,
    language: problem.language,
    referencesPassed: referenceFigures.length,
    referencesTotal: problem.solutions.length,
    references: refs.outcomes,
    answer: { outcome: answer.outcome, code, ...(answer.sizes ? { sizes: answer.sizes } : {}) },
    differential: differential.check,
    scores: scoreProblem(answer.outcome, referenceFigures, rule, identical),
    ...(iterations ? { iterations } : {}),
    ...(provided.kind === 'optimized' ? { optimization: provided.run } : {}),
    ...(complexity
      ? { complexity: { original: complexity.original.summary, answer: complexity.candidate.summary } }
      : {}),
    wallMs: refs.wallMs + answer.wallMs + differential.wallMs,
  };
}

/** Every reference solution in profile mode; the first passing one's recording checks the answer. */
async function runReferences(
  problem: EvalProblem,
  run: ProgramRunner,
): Promise<{ outcomes: { index: number; outcome: CodeOutcome }[]; firstPassing?: Ran; wallMs: number }> {
  const outcomes: { index: number; outcome: CodeOutcome }[] = [];
  let firstPassing: Ran | undefined;
  let wallMs = 0;
  for (const [index, solution] of problem.solutions.entries()) {
    const ran = await run(solution.code, `reference ${index + 1}`, { kind: 'profile' });
    wallMs += ran.wallMs;
    outcomes.push({ index, outcome: ran.outcome });
    if (!firstPassing && ran.outcome.kind === 'passed') firstPassing = ran;
  }
  return { outcomes, wallMs, ...(firstPassing ? { firstPassing } : {}) };
}

/** A passing answer replayed against the first passing reference's recorded calls. */
async function checkAgainstReference(
  run: ProgramRunner,
  code: string,
  answer: Ran,
  reference: Ran | undefined,
  enabled: boolean | undefined,
): Promise<{ check: DifferentialCheck; wallMs: number }> {
  if (enabled === false) return { check: { kind: 'not_run', reason: 'disabled' }, wallMs: 0 };
  if (answer.outcome.kind !== 'passed')
    return { check: { kind: 'not_run', reason: 'the answer did not pass its tests' }, wallMs: 0 };
  if (!reference?.recording)
    return { check: { kind: 'not_run', reason: 'no passing reference recorded its calls' }, wallMs: 0 };
  const checked = await run(code, 'answer (differential check)', { kind: 'check', recording: reference.recording });
  return {
    check:
      checked.outcome.kind === 'passed' ? { kind: 'agreed' } : { kind: 'differs', message: checked.outcome.message },
    wallMs: checked.wallMs,
  };
}

/**
 * The scores after each iteration of an optimisation run. The same program gets the same figures
 * at every point of the curve: the best code of an iteration that is the final answer takes the
 * answer's run (measured like the references), and one that copies a reference takes that
 * reference's; other points keep the loop's measurement.
 */
function iterationCurve(
  provided: Extract<ProvidedAnswer, { kind: 'optimized' }>,
  answer: Ran,
  normalize: (code: string) => string,
  score: (outcome: CodeOutcome, code: string) => ReturnType<typeof scoreProblem>,
): IterationPoint[] {
  const finalKey = normalize(provided.code);
  return provided.iterations.flatMap((p) => {
    const scores = score(normalize(p.code) === finalKey ? answer.outcome : p.outcome, p.code);
    return scores ? [{ iteration: p.iteration, scores }] : [];
  });
}

async function runSafely(
  sandbox: Sandbox,
  job: ReturnType<typeof problemJob>,
  signal?: AbortSignal,
): Promise<SandboxResult> {
  try {
    return await sandbox.run(job, signal);
  } catch (err) {
    if (signal?.aborted) throw err;
    const d = sandbox.describe();
    return {
      kind: 'error',
      message: `the sandbox failed: ${errorMessage(err)}`,
      sandbox: d.sandbox,
      isolation: d.isolation,
      wallMs: 0,
      output: '',
    };
  }
}

/** A sandbox result as the metrics see it: passed with a measurement, or a failure with a reason. */
export function outcomeOf(result: SandboxResult): CodeOutcome {
  switch (result.kind) {
    case 'passed':
      return result.measurement
        ? { kind: 'passed', measurement: result.measurement }
        : { kind: 'failed', status: 'passed_without_measurement', message: 'tests passed but nothing was measured' };
    case 'failed': {
      const first = result.failures[0];
      return {
        kind: 'failed',
        status: 'failed',
        message: first ? `${first.test}: ${first.message}` : `${result.tests.failed} test(s) failed`,
      };
    }
    case 'timeout':
      return { kind: 'failed', status: 'timeout', message: `timed out after ${result.limitMs} ms` };
    case 'memory_limit':
      return { kind: 'failed', status: 'memory_limit', message: `exceeded ${result.limitMb} MB` };
    case 'crashed':
      return { kind: 'failed', status: 'crashed', message: result.message };
    case 'error':
      return { kind: 'failed', status: 'error', message: result.message };
  }
}

function toRan(result: SandboxResult): Ran {
  const outcome = outcomeOf(result);
  const measurement = result.kind === 'passed' ? result.measurement : undefined;
  return {
    outcome,
    wallMs: result.wallMs,
    ...(result.kind === 'passed' && result.recording ? { recording: result.recording } : {}),
    ...(measurement?.sizes && measurement.sizes.length > 0 ? { sizes: measurement.sizes } : {}),
  };
}

/** The figures of a passing outcome, for display. */
export function outcomeFigures(outcome: CodeOutcome): ReturnType<typeof figuresOf> | undefined {
  return outcome.kind === 'passed' ? figuresOf(outcome.measurement) : undefined;
}
