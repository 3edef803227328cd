/**
 * Turns an eval problem plus one piece of code (a reference solution or an answer) into a sandbox
 * job: the language shapes the program (the code becomes the module under test, the problem's tests
 * a test file in the language's own style), so the harness runs, records and measures it like any
 * user function.
 */
import type { EvalProblem } from './evalTypes';
import type { LanguageSupport } from './languageSupport';
import type { HarnessMode, Limits, MeasureOptions, SandboxJob } from './sandboxTypes';

export interface JobOptions {
  readonly mode: HarnessMode;
  readonly limits: Limits;
  readonly measure?: MeasureOptions;
}

export function problemJob(
  language: LanguageSupport,
  problem: EvalProblem,
  code: string,
  options: JobOptions,
): SandboxJob {
  const program = language.evalProgram.program(problem, code);
  const measure: MeasureOptions | undefined =
    problem.inputsGenerator && problem.sizes && problem.sizes.length > 0
      ? { ...options.measure, sizes: problem.sizes }
      : options.measure;
  return {
    language: program.language,
    files: program.files,
    modulePath: program.modulePath,
    testPaths: [program.testPath],
    target: problem.entryPoint,
    mode: options.mode,
    limits: options.limits,
    ...(measure ? { measure } : {}),
  };
}

/**
 * The inverse of `problemJob` for the module under test: the solution code without what the job
 * put around it (a prelude and the runner's helpers before it, or an export line after it). The
 * loop optimises the whole module; what we score and report is the solution as a user or the model
 * would write it, so that it compares equal to a reference it copies. Text that does not carry the
 * wrapper (the model rewrote it) comes back as it is: running it wrapped again is harmless.
 */
export function solutionCodeOf(language: LanguageSupport, problem: EvalProblem, moduleText: string): string {
  return language.evalProgram.solutionOf(problem, moduleText);
}
