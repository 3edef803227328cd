/**
 * What the `profile` and `optimize` verbs share: their common options on node:util parseArgs,
 * parsed and checked once for every verb.
 */
import { EXIT_USAGE } from './exitCodes';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { SandboxChoice } from '../adapters/sandboxSelection';
import { errorMessage } from '../core/errorMessage';

// Checked here rather than imported with the selection module, which pulls in the Docker client.
const SANDBOX_CHOICES: readonly SandboxChoice[] = ['auto', 'docker', 'local'];
const isSandboxChoice = (value: string): value is SandboxChoice =>
  (SANDBOX_CHOICES as readonly string[]).includes(value);

export const DEFAULT_TIMEOUT_SECONDS = 60;
export const DEFAULT_MEMORY_MB = 512;

/** Options every sandboxed verb takes. */
export const COMMON_OPTIONS = {
  function: { type: 'string', short: 'f' },
  tests: { type: 'string', short: 't', multiple: true },
  sandbox: { type: 'string' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  python: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export interface CommonArgs {
  readonly file: string;
  readonly functionName: string;
  readonly tests: readonly string[];
  readonly sandbox: SandboxChoice;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** `--python`: the interpreter that runs Python tests (a path or a name on PATH). */
  readonly python?: string;
  readonly json: boolean;
}

export type Parsed<T> =
  | { readonly kind: 'ok'; readonly args: T }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage'; readonly message: string };

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export type ParsedCommonArgs = CommonArgs & { readonly values: OptionValues };

/** A positive number from an option, or a message saying what was wrong. */
export function positiveNumber(name: string, raw: string | undefined, fallback: number, max: number): number | string {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) return `--${name} must be a positive number, got '${raw}'.`;
  if (value > max) return `--${name} must be at most ${max}, got ${raw}.`;
  return value;
}

/** A whole number from 0 to `max` (e.g. `--patience 0` = never stop early). */
export function wholeNumber(name: string, raw: string | undefined, fallback: number, max: number): number | string {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) return `--${name} must be a whole number (0 or more), got '${raw}'.`;
  if (value > max) return `--${name} must be at most ${max}, got ${raw}.`;
  return value;
}

/**
 * Parses `FILE --function NAME [--tests PATH]… [--sandbox …] [--timeout S] [--memory MB] [--json]`
 * plus the verb's own `extra` options, whose raw values are returned in `values`.
 */
export function parseCommonArgs<E extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  extra: E,
): Parsed<ParsedCommonArgs> {
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...COMMON_OPTIONS, ...extra },
      allowPositionals: true,
      strict: true,
    }) as typeof parsed;
  } catch (err) {
    return { kind: 'usage', message: errorMessage(err) };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (positionals.length === 0)
    return { kind: 'usage', message: 'Missing FILE: the source file that holds the function.' };
  if (positionals.length > 1)
    return { kind: 'usage', message: `Expected one FILE, got ${positionals.length}: ${positionals.join(' ')}.` };
  const functionName = typeof values.function === 'string' ? values.function.trim() : '';
  if (!functionName) return { kind: 'usage', message: 'Missing --function NAME (a function name, or Class.method).' };
  const sandbox = typeof values.sandbox === 'string' ? values.sandbox : 'auto';
  if (!isSandboxChoice(sandbox))
    return { kind: 'usage', message: `--sandbox must be auto, docker or local, got '${sandbox}'.` };
  const timeout = positiveNumber('timeout', values.timeout as string | undefined, DEFAULT_TIMEOUT_SECONDS, 3600);
  if (typeof timeout === 'string') return { kind: 'usage', message: timeout };
  const memory = positiveNumber('memory', values.memory as string | undefined, DEFAULT_MEMORY_MB, 65536);
  if (typeof memory === 'string') return { kind: 'usage', message: memory };
  if (memory < 32) return { kind: 'usage', message: `--memory must be at least 32 (MB), got ${memory}.` };
  const tests = Array.isArray(values.tests) ? values.tests.filter((t): t is string => typeof t === 'string') : [];
  return {
    kind: 'ok',
    args: {
      file: positionals[0] as string,
      functionName,
      tests,
      sandbox,
      timeoutMs: Math.round(timeout * 1000),
      memoryMb: Math.round(memory),
      ...(typeof values.python === 'string' && values.python !== '' ? { python: values.python } : {}),
      json: values.json === true,
      values,
    },
  };
}

/** `--sizes 100,1000,10000` → numbers, or a message. */
export function parseSizes(raw: string | undefined): readonly number[] | string | undefined {
  if (raw === undefined) return undefined;
  const sizes = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
    return `--sizes must be positive integers separated by commas (e.g. 100,1000,10000), got '${raw}'.`;
  }
  return sizes;
}

/**
 * The usage-error reporter of a verb: the message on stderr (plus the --help hint when the
 * arguments themselves were wrong), and with --json also as the one JSON object on stdout.
 */
export function usageReporter(
  verb: string,
  argv: readonly string[],
  withHelpHint: boolean,
): (message: string) => number {
  const json = argv.includes('--json');
  return (message: string): number => {
    if (json) process.stdout.write(JSON.stringify({ status: 'error', message }) + '\n');
    process.stderr.write(`afterburner ${verb}: ${message}\n`);
    if (withHelpHint) process.stderr.write(`Run 'afterburner ${verb} --help' for usage.\n`);
    return EXIT_USAGE;
  };
}
