/**
 * `afterburner hotspots [DIR] …`: run the project's tests under a profiler in the sandbox and rank
 * the project's own functions by inclusive time. Exit 0 when the tests passed, 1 when some failed
 * or the run did not finish (hot functions still come from the tests that ran), 2 for bad usage.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
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
import { findProjectTests, groupTests, testGroupOf } from '../languages/projectTests';
import { hotspotsJob } from './hotspotsJob';
import { runInterruptibly } from './interruptible';
import { findPythonProjectRoot } from '../languages/python/projectRoot';
import { harnessOf } from '../languages/registry';
import { choosePython, describePythonChoice, interpreterPlan, pythonSelection } from './pythonEnvironment';

const HELP = `Usage: afterburner hotspots [DIR] [--tests PATH]... [--top N] [--sandbox auto|docker|local]
                            [--timeout SECONDS] [--memory MB] [--json]

Runs the project's tests in a sandbox under a profiler (Python: cProfile; JavaScript/TypeScript: the
V8 CPU profiler) and ranks the project's own functions (not tests, not installed packages) by
inclusive time, with self time, call counts and their share of the tests' time. DIR defaults to
the current folder; without --tests, the tests under DIR are found by convention:
  Python: test_*.py, *_test.py (within pytest's testpaths when configured)
  JS/TS:  *.test.*, *.spec.*, __tests__/*
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
    if (!testGroupOf(t))
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
    },
  };
}

const toPosix = (p: string): string => p.split(path.sep).join('/');

function sourceReader(dir: string): (file: string) => string | undefined {
  return (file) => {
    try {
      return readFileSync(path.join(dir, file), 'utf8');
    } catch {
      return undefined;
    }
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
  const groups = groupTests(args.tests.length > 0 ? args.tests : findProjectTests(args.dir));
  if (groups.length === 0)
    return usage(
      `No tests found under ${args.dir} (looked for test_*.py, *_test.py, *.test.*, *.spec.*, __tests__/*). ` +
        'Pass test files with --tests PATH (repeatable).',
    );
  const log = (line: string): void => {
    process.stderr.write(`afterburner: ${line}\n`);
  };
  const pythonGroup = groups.find((g) => harnessOf(g.language).runtime === 'cpython');
  const python = pythonGroup
    ? choosePython(pythonGroup.language, { projectRoot: findPythonProjectRoot(args.dir) ?? args.dir }, log)
    : undefined;
  const selection = await selectSandbox(args.sandbox, { defaultLimits: args.limits, log, ...pythonSelection(python) });
  if (selection.kind === 'error') return usage(selection.message);
  const { sandbox } = selection;
  log(`sandbox: ${sandbox.describe().isolation} (${selection.reason})`);
  if (python) log(describePythonChoice(python, selection.backend));
  const interpreter = interpreterPlan(python, selection.backend);
  const results: HotspotsJson[] = [];
  return runInterruptibly(sandbox, log, async (signal) => {
    for (const group of groups) {
      log(`profiling ${group.tests.length} ${group.language} test file(s) under ${args.dir}`);
      const job = hotspotsJob(args.dir, group, args.limits);
      const result = await sandbox.run(job, signal);
      const json = toHotspotsJson(result, {
        language: group.language,
        testFiles: group.tests.map((t) => toPosix(path.relative(args.dir, t))),
        sourceOf: sourceReader(args.dir),
        top: args.top,
        ...(interpreter !== undefined && harnessOf(group.language).runtime === 'cpython' ? { interpreter } : {}),
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
