/**
 * `afterburner hotspots [DIR] …`: run the project's tests under a profiler in the sandbox and rank
 * the project's own functions by inclusive time. Exit 0 when the tests passed, 1 when some failed
 * or the run did not finish (hot functions still come from the tests that ran), 2 for bad usage.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Limits } from '../core/sandboxTypes';
import { errorMessage } from '../core/errorMessage';
import { selectSandbox } from '../adapters/sandboxSelection';
import type { SandboxChoice } from '../adapters/sandboxSelection';
import { DEFAULT_MEMORY_MB, positiveNumber, usageReporter } from './cliArgs';
import { EXIT_FAILED, EXIT_OK } from './exitCodes';
import { combineHotspots, formatHotspotsText, toHotspotsJson } from './hotspotsJson';
import type { HotspotsJson } from './hotspotsJson';
import { findProjectTests, groupTests, isTestableSource } from '../languages/projectTests';
import type { LanguageTests } from '../languages/projectTests';
import { hotspotsJob, rankingContext } from './hotspotsJob';
import type { HotspotsRun } from './hotspotsJob';
import { runInterruptibly } from './interruptible';
import { harnessOf } from '../languages/registry';
import { pythonFor } from './profileCommand';
import { omittedNote } from './sandboxJobInput';
import { projectFilesOnDisk } from './projectFilesOnDisk';
import { describePythonChoice, interpreterPlan, pythonSelection } from './pythonEnvironment';

const HELP = `Usage: afterburner hotspots [DIR] [--tests PATH]... [--top N] [--sandbox auto|docker|local]
                            [--timeout SECONDS] [--memory MB] [--python PATH] [--json]

Runs the project's tests in a sandbox under a profiler (Python: cProfile; JavaScript/TypeScript: the
V8 CPU profiler) and ranks the project's own functions (not tests, not installed packages) by
inclusive time, with self time, call counts and their share of the tests' time. DIR defaults to
the current folder; without --tests, the tests under DIR are found as 'profile' finds them (by
convention and the runner's config at the project root):
  Python: test_*.py, *_test.py, tests/ and test/ folders, pytest testpaths and python_files
  JS/TS:  *.test.*, *.spec.*, test/ tests/ __tests__/ __test__/ spec/ folders, a root test.js,
          jest testMatch/roots, vitest include, .mocharc spec
Python runs the project in place from its root with the project's interpreter (--python,
VIRTUAL_ENV, the project's .venv or venv, else python3), as 'profile' does.
With tests in Python and JavaScript/TypeScript, each language's tests run on their own.
Each name it prints can be passed as-is to 'afterburner profile FILE --function NAME'.
Exit codes: 0 tests passed, 1 some failed or the run did not finish, 2 bad usage or input.`;

const DEFAULT_TOP = 20;
const DEFAULT_TIMEOUT_SECONDS = 300;

interface HotspotsArgs {
  readonly dir: string;
  readonly tests: readonly string[];
  readonly top: number;
  readonly sandbox: SandboxChoice;
  readonly limits: Limits;
  readonly json: boolean;
  /** `--python`: the interpreter that runs Python tests (a path or a name on PATH). */
  readonly python?: string;
}

type ParsedArgs = { kind: 'ok'; args: HotspotsArgs } | { kind: 'help' } | { kind: 'usage'; message: string };

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function parseHotspotsArgs(argv: readonly string[]): ParsedArgs {
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        tests: { type: 'string', short: 't', multiple: true },
        top: { type: 'string' },
        sandbox: { type: 'string' },
        timeout: { type: 'string' },
        memory: { type: 'string' },
        python: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    return { kind: 'usage', message: errorMessage(err) };
  }
  if (values.help) return { kind: 'help' };
  if (positionals.length > 1)
    return { kind: 'usage', message: `Expected at most one DIR, got ${positionals.length}: ${positionals.join(' ')}.` };
  const dir = path.resolve(positionals[0] ?? '.');
  if (!isDirectory(dir)) return { kind: 'usage', message: `${positionals[0] ?? '.'} is not a folder.` };
  const sandbox = typeof values.sandbox === 'string' ? values.sandbox : 'auto';
  if (sandbox !== 'auto' && sandbox !== 'docker' && sandbox !== 'local')
    return { kind: 'usage', message: `--sandbox must be auto, docker or local, got '${sandbox}'.` };
  const top = positiveNumber('top', values.top as string | undefined, DEFAULT_TOP, 10_000);
  if (typeof top === 'string') return { kind: 'usage', message: top };
  if (!Number.isInteger(top)) return { kind: 'usage', message: `--top must be a whole number, got ${top}.` };
  const timeout = positiveNumber('timeout', values.timeout as string | undefined, DEFAULT_TIMEOUT_SECONDS, 3600);
  if (typeof timeout === 'string') return { kind: 'usage', message: timeout };
  const memory = positiveNumber('memory', values.memory as string | undefined, DEFAULT_MEMORY_MB, 65536);
  if (typeof memory === 'string') return { kind: 'usage', message: memory };
  if (memory < 32) return { kind: 'usage', message: `--memory must be at least 32 (MB), got ${memory}.` };
  const tests = ((values.tests as string[] | undefined) ?? []).map((t) => path.resolve(t));
  for (const t of tests) {
    if (!existsSync(t) || !statSync(t).isFile()) return { kind: 'usage', message: `--tests: file not found: ${t}.` };
    if (!isTestableSource(t))
      return { kind: 'usage', message: `--tests: ${t} is not a Python, JavaScript or TypeScript file.` };
    if (path.relative(dir, t).startsWith('..'))
      return { kind: 'usage', message: `--tests: ${t} is outside ${dir}; pass the project folder as DIR.` };
  }
  return {
    kind: 'ok',
    args: {
      dir,
      tests,
      top,
      sandbox,
      limits: { timeoutMs: Math.round(timeout * 1000), memoryMb: Math.round(memory) },
      json: values.json === true,
      ...(typeof values.python === 'string' ? { python: values.python } : {}),
    },
  };
}

/** The tests to run, per language: the ones given, else the shared discovery's under DIR. */
async function testGroups(args: HotspotsArgs): Promise<{ groups: readonly LanguageTests[]; none: string }> {
  if (args.tests.length > 0) return { groups: groupTests(args.tests), none: '' };
  const found = await findProjectTests(args.dir, projectFilesOnDisk);
  const config = found.runnerConfigs.length > 0 ? ` and the patterns of ${found.runnerConfigs.join(', ')}` : '';
  return {
    groups: found.groups,
    none:
      `No tests found under ${args.dir} (looked for ${found.lookedFor.join('; ')}${config})` +
      `${found.truncated ? ', though the folder is larger than discovery searches' : ''}. ` +
      'Pass test files with --tests PATH (repeatable).',
  };
}

export async function runHotspots(argv: string[]): Promise<number> {
  const parsed = parseHotspotsArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(HELP + '\n');
    return EXIT_OK;
  }
  const usage = usageReporter('hotspots', argv, parsed.kind === 'usage');
  if (parsed.kind === 'usage') return usage(parsed.message);
  const args = parsed.args;
  const { groups, none } = await testGroups(args);
  if (groups.length === 0) return usage(none);
  const log = (line: string): void => {
    process.stderr.write(`afterburner: ${line}\n`);
  };
  const runs: HotspotsRun[] = [];
  for (const group of groups) {
    const built = hotspotsJob(group, args.limits);
    if (built.kind === 'error') return usage(built.message);
    const omitted = omittedNote(built.run.omitted);
    if (omitted) log(omitted);
    runs.push(built.run);
  }
  // One sandbox runs every group: the first Python project's interpreter is the one it is given.
  const pythonRun = runs.find((run) => harnessOf(run.job.language).runtime === 'cpython');
  const python = pythonRun ? pythonFor(args, pythonRun.job, log) : undefined;
  const selection = await selectSandbox(args.sandbox, { defaultLimits: args.limits, log, ...pythonSelection(python) });
  if (selection.kind === 'error') return usage(selection.message);
  const { sandbox } = selection;
  log(`sandbox: ${sandbox.describe().isolation} (${selection.reason})`);
  if (python) log(describePythonChoice(python, selection.backend));
  const interpreter = interpreterPlan(python, selection.backend);
  const results: HotspotsJson[] = [];
  return runInterruptibly(sandbox, log, async (signal) => {
    for (const run of runs) {
      log(
        `profiling ${run.tests.length} ${run.job.language} test file(s) under ${args.dir} (project root ${run.root})`,
      );
      const result = await sandbox.run(run.job, signal);
      const ranking = rankingContext(run, args.dir);
      const json = toHotspotsJson(result, {
        language: run.job.language,
        ...ranking,
        top: args.top,
        ...(interpreter !== undefined && harnessOf(run.job.language).runtime === 'cpython' ? { interpreter } : {}),
      });
      results.push(json);
      if (!args.json) process.stdout.write(formatHotspotsText(json) + '\n');
      if (json.status !== 'passed' && json.status !== 'failed' && result.output && !args.json)
        log(`last output of the run:\n${result.output.slice(-2000)}`);
    }
    const combined = combineHotspots(results);
    if (args.json && combined) process.stdout.write(JSON.stringify(combined) + '\n');
    // Once the tests ran, the input was good: whatever stopped them is the code's (exit 1).
    return results.every((r) => r.status === 'passed') ? EXIT_OK : EXIT_FAILED;
  });
}
