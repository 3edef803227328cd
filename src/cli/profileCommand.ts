/**
 * `afterburner profile FILE --function NAME …`: test the function in the sandbox and measure it.
 * Exit 0 only when it passed, 1 when the run failed after it started (tests, timeout, memory,
 * crash, nothing recorded), 2 for bad usage or input found before the run, with a message that
 * says what to do.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { callableFunctions, enclosingFunction, locateFunction } from '../core/functionLocator';
import type { Language, Sandbox, SandboxJob, SandboxResult } from '../core/sandboxTypes';
import { profileWithSizes } from '../core/growthRun';
import { describeSandboxFailure } from '../core/resultWords';
import { selectSandbox } from '../adapters/sandboxSelection';
import { languageForPath, supportedExtensions } from '../languages/registry';
import { parseCommonArgs, parseSizes, usageReporter } from './cliArgs';
import type { ParsedCommonArgs } from './cliArgs';
import { EXIT_FAILED, EXIT_OK } from './exitCodes';
import { formatProfileText, toProfileJson } from './profileJson';
import type { ProfileJson } from './profileJson';
import { omittedNote, sandboxJobInput } from './sandboxJobInput';
import { selectTests } from './testSelection';
import { runInterruptibly } from './interruptible';
import { missingPackageHint } from './interpreterJson';
import {
  choosePython,
  describePythonChoice,
  namedPythonProblem,
  interpreterPlan,
  pythonSelection,
  type PythonSetup,
} from './pythonEnvironment';

const HELP = `Usage: afterburner profile FILE --function NAME [--tests PATH]... [--sandbox auto|docker|local]
                           [--timeout SECONDS] [--memory MB] [--sizes N,N,...] [--python PATH] [--json]

Runs the tests of NAME (a function, or Class.method) in a sandbox, records the calls they make,
and measures runtime, peak memory and the memory-time integral on those calls.
Without --tests, the project's test files (by convention and the runner's config) that import
FILE's module and mention NAME are run; stderr says which and why:
  Python: test_*.py, *_test.py, tests/ and test/ folders, pytest testpaths
  JS/TS:  *.test.*, *.spec.*, test/ tests/ __tests__/ __test__/ spec/ folders, a root test.js,
          jest testMatch/roots, vitest include, .mocharc spec
--sizes measures at growing input sizes with afterburner_inputs(size) from the tests.
Exit codes: 0 passed, 1 the run failed after it started (tests, timeout, memory, crash, nothing
recorded), 2 bad usage or input (found before the run).`;

type Input = { kind: 'ok'; job: SandboxJob; language: Language } | { kind: 'usage'; message: string };

function fileProblem(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return `${file} is not a file.`;
    return undefined;
  } catch {
    return `File not found: ${file}.`;
  }
}

/** Checks the input and builds the job; `log` hears which tests discovery picked, when it ran. */
export async function readInput(args: ParsedCommonArgs, log: (line: string) => void): Promise<Input> {
  const problem = fileProblem(args.file);
  if (problem) return { kind: 'usage', message: problem };
  const language = languageForPath(args.file);
  if (!language) {
    return {
      kind: 'usage',
      message: `Unsupported file type '${path.extname(args.file) || '(none)'}': afterburner profiles ${supportedExtensions().join(', ')} files.`,
    };
  }
  const text = readFileSync(args.file, 'utf8');
  const located = locateFunction(language, text, args.functionName);
  const outer = located && enclosingFunction(language, text, located);
  if (outer) {
    return {
      kind: 'usage',
      message: `'${args.functionName}' is defined inside ${outer.qualifiedName} in ${args.file}: the tests cannot call it by itself. Profile '${outer.qualifiedName}', which makes its calls, or move it to the module's top level.`,
    };
  }
  if (!located) {
    const known = callableFunctions(language, text).map((f) => f.qualifiedName);
    const hint =
      known.length > 0
        ? ` Functions there: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}.`
        : ' No functions were found in it.';
    return { kind: 'usage', message: `Function '${args.functionName}' not found in ${args.file}.${hint}` };
  }
  let tests = [...args.tests];
  for (const t of tests) {
    const missing = fileProblem(t);
    if (missing) return { kind: 'usage', message: `--tests: ${missing}` };
  }
  if (tests.length === 0) {
    const selection = await selectTests(args.file, language.id, args.functionName);
    if (selection.kind === 'none') return { kind: 'usage', message: selection.message };
    selection.explanation.forEach(log);
    tests = [...selection.tests];
  }
  const sizes = parseSizes(args.values.sizes as string | undefined);
  if (typeof sizes === 'string') return { kind: 'usage', message: sizes };
  const input = sandboxJobInput(language.id, args.file, tests);
  if (input.kind === 'error') return { kind: 'usage', message: input.message };
  const omitted = omittedNote(input.omitted);
  if (omitted) log(omitted);
  return {
    kind: 'ok',
    language: language.id,
    job: {
      language: language.id,
      files: input.files,
      modulePath: input.modulePath,
      testPaths: input.testPaths,
      target: args.functionName,
      mode: { kind: 'profile' },
      limits: { timeoutMs: args.timeoutMs, memoryMb: args.memoryMb },
      ...(sizes ? { measure: { sizes } } : {}),
      ...(input.workspaceRoot ? { workspaceRoot: input.workspaceRoot } : {}),
      ...(input.project ? { project: input.project } : {}),
    },
  };
}

/** The Python of a job (see pythonEnvironment.ts), from `--python` and the job's project. */
export function pythonFor(
  args: Pick<ParsedCommonArgs, 'python'>,
  job: SandboxJob,
  log: (line: string) => void,
): PythonSetup | undefined {
  return choosePython(
    job.language,
    {
      ...(args.python !== undefined ? { named: args.python } : {}),
      ...(job.project ? { projectRoot: job.project.root } : {}),
    },
    log,
  );
}

/**
 * With --sizes, the sizes are measured in the profile's own run; a size past a limit stops that
 * run, and the function is profiled again without sizes (the same rule as the extension's).
 */
async function profileRun(
  sandbox: Sandbox,
  job: SandboxJob,
  signal: AbortSignal,
): Promise<{ result: SandboxResult; sizesError?: string }> {
  const sizes = job.measure?.sizes;
  if (!sizes || sizes.length === 0) return { result: await sandbox.run(job, signal) };
  const { sizes: _sized, ...measure } = job.measure ?? {};
  const { profile, growth } = await profileWithSizes(sandbox, { ...job, measure }, sizes, signal);
  if (growth === undefined || growth === profile) return { result: profile };
  return {
    result: profile,
    sizesError: `measuring at the sizes stopped: ${describeSandboxFailure(growth, 'it', false)}`,
  };
}

/** Once the sandbox run started, the input was good: whatever stopped it is the code's (exit 1). */
function exitCodeFor(profile: ProfileJson): number {
  return profile.status === 'passed' ? EXIT_OK : EXIT_FAILED;
}

export async function runProfile(argv: string[]): Promise<number> {
  const parsed = parseCommonArgs(argv, { sizes: { type: 'string' } });
  if (parsed.kind === 'help') {
    process.stdout.write(HELP + '\n');
    return EXIT_OK;
  }
  const usage = usageReporter('profile', argv, parsed.kind === 'usage');
  if (parsed.kind === 'usage') return usage(parsed.message);
  const args = parsed.args;
  const log = (line: string): void => {
    process.stderr.write(`afterburner: ${line}\n`);
  };
  const input = await readInput(args, log);
  if (input.kind === 'usage') return usage(input.message);

  const python = pythonFor(args, input.job, log);
  const badPython = namedPythonProblem(python);
  if (badPython) return usage(badPython);
  const selection = await selectSandbox(args.sandbox, {
    defaultLimits: input.job.limits,
    log,
    ...pythonSelection(python),
  });
  if (selection.kind === 'error') return usage(selection.message);
  const { sandbox } = selection;
  if (python) log(describePythonChoice(python, selection.backend));
  const interpreter = interpreterPlan(python, selection.backend);
  log(`profiling ${args.functionName} in ${args.file} with ${input.job.testPaths.join(', ')}`);
  log(`sandbox: ${sandbox.describe().isolation} (${selection.reason})`);

  return runInterruptibly(sandbox, log, async (signal) => {
    const { result, sizesError } = await profileRun(sandbox, input.job, signal);
    const measured = toProfileJson(result, {
      language: input.language,
      functionName: args.functionName,
      file: args.file,
      ...(interpreter ? { interpreter } : {}),
    });
    const hint = missingPackageHint(measured.python, [
      measured.message,
      ...(measured.failures ?? []).map((f) => f.message),
    ]);
    const hinted = hint ? { ...measured, message: `${measured.message} ${hint}` } : measured;
    const profile = sizesError ? { ...hinted, sizes_error: sizesError } : hinted;
    if (args.json) process.stdout.write(JSON.stringify(profile) + '\n');
    else process.stdout.write(formatProfileText(profile) + '\n');
    if (result.kind !== 'passed' && result.output && !args.json)
      log(`last output of the run:\n${result.output.slice(-2000)}`);
    return exitCodeFor(profile);
  });
}
