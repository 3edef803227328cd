/**
 * `eval --optimize`: the answer of each problem is what our loop (`optimize()` in loop.ts) makes of
 * a starting solution — the one given in --answers, else one the model writes from the problem
 * description — with the best code after each iteration kept for the per-iteration curves.
 */
import { problemJob, solutionCodeOf } from './evalJobs';
import type { CodeOutcome, EvalAnswer, EvalProblem, OptimizationRun } from './evalTypes';
import type { AnswerProvider, ProvidedAnswer } from './evalRunner';
import { outcomeOf } from './evalRunner';
import { fencedBlocks } from './extractCode';
import { optimize } from './loop';
import type { BestSoFar, Goal, LoopEvent, OptimizeRequest } from './loopTypes';
import type { LanguageLookup } from './languageSupport';
import type { ChatMessage, LanguageModel } from './modelTypes';
import type { Limits, MeasureOptions } from './sandboxTypes';

export interface OptimizeAnswersOptions {
  readonly model: LanguageModel;
  /** The language support of a problem's language. */
  readonly languages: LanguageLookup;
  readonly goal: Goal;
  readonly iterations: number;
  readonly candidates: number;
  readonly limits: Limits;
  readonly measure?: MeasureOptions;
  /** Starting code per problem id; problems without one get a model-written start. */
  readonly starts?: ReadonlyMap<string, EvalAnswer>;
  readonly log?: (line: string) => void;
  /** Sees every loop event of every problem (e.g. to record the run history). */
  readonly onLoopEvents?: (
    problem: EvalProblem,
    request: OptimizeRequest,
    events: readonly LoopEvent[],
    startCode: string,
  ) => void;
}

export function optimizingAnswers(options: OptimizeAnswersOptions): AnswerProvider {
  return async (problem, { sandbox, signal }): Promise<ProvidedAnswer> => {
    let start = options.starts?.get(problem.id)?.code;
    const origin: OptimizationRun['start'] = start === undefined ? 'model' : 'given';
    if (start === undefined) {
      const written = await writeStartingSolution(options.model, problem, signal);
      if (written.kind !== 'code') return written;
      start = written.code;
    }
    const language = options.languages(problem.language);
    const job = problemJob(language, problem, start, { mode: { kind: 'profile' }, limits: options.limits });
    const request: OptimizeRequest = {
      language: options.languages(job.language),
      files: job.files,
      modulePath: job.modulePath,
      testPaths: job.testPaths,
      target: job.target,
      goal: options.goal,
      iterations: options.iterations,
      candidates: options.candidates,
      limits: options.limits,
      // The timing budget only: size curves are measured once, on the final answer.
      ...(options.measure ? { measure: options.measure } : {}),
    };
    const events: LoopEvent[] = [];
    const points: { iteration: number; code: string; outcome: CodeOutcome }[] = [];
    let best: BestSoFar | undefined;
    let run: OptimizationRun = {
      outcome: 'failed',
      reason: 'The optimisation loop ended without a word.',
      bestIteration: 0,
      start: origin,
    };
    for await (const event of optimize(
      { sandbox, model: options.model, ...(options.log ? { log: options.log } : {}) },
      request,
      signal,
    )) {
      events.push(event);
      if (event.type === 'baseline') {
        points.push({ iteration: 0, code: start, outcome: outcomeOf(event.result) });
      } else if (event.type === 'iterationDone') {
        best = event.best;
        points.push({
          iteration: event.iteration,
          code: solutionCodeOf(language, problem, best.moduleText),
          outcome: { kind: 'passed', measurement: best.measurement },
        });
      } else if (event.type === 'finished') {
        best = event.best ?? best;
        run = { outcome: event.outcome, reason: event.reason, bestIteration: best?.iteration ?? 0, start: origin };
      }
    }
    options.onLoopEvents?.(problem, request, events, start);
    return {
      kind: 'optimized',
      code: best ? solutionCodeOf(language, problem, best.moduleText) : start,
      iterations: points,
      run,
    };
  };
}

/** One completion: the model writes a first solution from the problem description. */
export async function writeStartingSolution(
  model: LanguageModel,
  problem: EvalProblem,
  signal?: AbortSignal,
): Promise<ProvidedAnswer> {
  const dot = problem.entryPoint.indexOf('.');
  const shape =
    dot < 0
      ? `a function named \`${problem.entryPoint}\``
      : `a class \`${problem.entryPoint.slice(0, dot)}\` with a method \`${problem.entryPoint.slice(dot + 1)}\``;
  const messages: ChatMessage[] = [
    {
      role: 'system',
      content: `You write correct, efficient ${problem.language} code. Reply with one fenced code block.`,
    },
    {
      role: 'user',
      content: `${problem.description}\n\nWrite ${shape} in ${problem.language} that solves this. ${
        problem.tests.kind === 'stdio' ? 'Only the solution code: input parsing and printing are done for you.' : ''
      }Reply with the complete code in one fenced code block.`,
    },
  ];
  const reply = await model.complete(messages, { temperature: 0.2 }, signal);
  if (reply.kind === 'error')
    return { kind: 'none', reason: `the model could not write a starting solution (${reply.error}: ${reply.message})` };
  const blocks = fencedBlocks(reply.text).filter((b) => b.closed);
  const code = blocks[blocks.length - 1]?.body;
  const name = problem.entryPoint.split('.').pop() as string;
  if (!code || !code.includes(name))
    return { kind: 'none', reason: `the model's starting solution has no ${problem.entryPoint}` };
  return { kind: 'code', code };
}
