/**
 * A hotspots run in the `hotspots` shape of the CLI contract (design.md): `status`, `language`,
 * `tests`, `test_ms`, `functions[]` keep their names and meanings; the fields after them may grow.
 */
import { formatInterpreter, interpreterJson, type InterpreterJson, type InterpreterPlan } from './interpreterJson';
import { languageOf } from '../languages/registry';
import { formatMs } from '../shared/format';
import { describeSandboxFailure } from '../core/resultWords';
import { rankHotspots } from '../core/hotspots';
import type { HotFunction } from '../core/hotspots';
import type { Language, SandboxResult, TestFailure } from '../core/sandboxTypes';

export type HotspotsStatus = 'passed' | 'failed' | 'timeout' | 'memory_limit' | 'crashed' | 'error';

export interface HotFunctionJson {
  readonly file: string;
  readonly function: string;
  readonly line: number;
  readonly total_ms: number;
  readonly self_ms: number;
  readonly calls: number;
  readonly share: number;
}

export interface HotspotsJson {
  readonly status: HotspotsStatus;
  readonly language: Language;
  readonly tests: { readonly passed: number; readonly failed: number };
  readonly test_ms: number;
  readonly functions: readonly HotFunctionJson[];
  // Extras.
  readonly message: string;
  readonly sandbox?: 'docker' | 'local';
  readonly isolation?: string;
  readonly runner?: string;
  readonly test_files?: readonly string[];
  readonly failures?: readonly TestFailure[];
  readonly wall_ms?: number;
  /** The project root the tests ran from, relative to DIR, when it is not DIR itself. */
  readonly project?: string;
  /** Python: the interpreter that ran the tests, its version, and the rule that chose it. */
  readonly python?: InterpreterJson;
  /** With tests in several languages: one object like this per language (the top level is the one with most test time). */
  readonly languages?: readonly HotspotsJson[];
}

export interface HotspotsContext {
  readonly language: Language;
  /** The test files run, relative to the folder the profile's paths are relative to (POSIX). */
  readonly testFiles: readonly string[];
  readonly sourceOf: (file: string) => string | undefined;
  readonly top: number;
  /** A profile path as the user reads it (relative to DIR); as it is when absent. */
  readonly shownAs?: (file: string) => string;
  /** The project root the tests ran from, relative to DIR; empty or absent when it is DIR. */
  readonly project?: string;
  /** Python: how the interpreter was chosen (the report says what actually ran). */
  readonly interpreter?: InterpreterPlan;
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

function functionJson(f: HotFunction, shownAs: (file: string) => string): HotFunctionJson {
  return {
    file: shownAs(f.file),
    function: f.function,
    line: f.line,
    total_ms: round(f.totalMs, 3),
    self_ms: round(f.selfMs, 3),
    calls: f.calls,
    share: round(f.share, 4),
  };
}

export function toHotspotsJson(result: SandboxResult, context: HotspotsContext): HotspotsJson {
  const shownAs = context.shownAs ?? ((file: string): string => file);
  const extras = {
    sandbox: result.sandbox,
    isolation: result.isolation,
    test_files: context.testFiles.map(shownAs),
    ...(context.project ? { project: context.project } : {}),
    wall_ms: round(result.wallMs, 1),
    ...(context.interpreter !== undefined
      ? { python: interpreterJson(context.interpreter, 'interpreter' in result ? result.interpreter : undefined) }
      : {}),
  };
  if (result.kind !== 'passed' && result.kind !== 'failed') {
    return {
      status: result.kind,
      language: context.language,
      tests: { passed: 0, failed: 0 },
      test_ms: 0,
      functions: [],
      message: describeSandboxFailure(result, 'The tests'),
      ...extras,
    };
  }
  const profile = result.hotspots;
  const functions = profile
    ? rankHotspots({
        language: languageOf(context.language),
        functions: profile.functions,
        testMs: profile.testMs,
        sourceOf: context.sourceOf,
        testFiles: context.testFiles,
        top: context.top,
      }).map((f) => functionJson(f, shownAs))
    : [];
  const failed = result.kind === 'failed';
  const top = functions[0];
  const message = !profile
    ? 'The harness returned no profile (the sandbox image may predate hotspots: rebuild it with afterburner images).'
    : failed
      ? `${describeSandboxFailure(result, 'The tests', false)}. Hot functions are from the tests that ran.`
      : top
        ? `${top.function} (${top.file}:${top.line}) takes ${Math.round(top.share * 100)} % of the tests' time.`
        : "The tests ran, but none of the project's own functions showed up in the profile.";
  return {
    status: failed ? 'failed' : profile ? 'passed' : 'error',
    language: context.language,
    tests: result.tests,
    test_ms: round(profile?.testMs ?? 0, 3),
    functions,
    message,
    ...extras,
    runner: result.runner,
    ...(failed ? { failures: result.failures } : {}),
  };
}

/** Several languages: the one with most test time on top, all of them in `languages`. */
export function combineHotspots(perLanguage: readonly HotspotsJson[]): HotspotsJson | undefined {
  if (perLanguage.length <= 1) return perLanguage[0];
  const main = [...perLanguage].sort((a, b) => b.test_ms - a.test_ms)[0];
  return main ? { ...main, languages: perLanguage } : undefined;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

export function formatHotspotsText(json: HotspotsJson): string {
  const lines = [
    `${json.language}${json.project ? ` (${json.project})` : ''}: ${json.status} · ${json.tests.passed} passed, ${json.tests.failed} failed · ` +
      `${formatMs(json.test_ms)} in tests${json.runner ? ` (${json.runner})` : ''}`,
    json.message,
  ];
  for (const failure of json.failures?.slice(0, 5) ?? [])
    lines.push(`  FAILED ${failure.test}: ${failure.message.split('\n')[0]}`);
  if (json.functions.length > 0) {
    lines.push(`  ${pad('share', 6)}  ${pad('total', 10)}  ${pad('self', 10)}  ${pad('calls', 9)}  function`);
    for (const f of json.functions) {
      lines.push(
        `  ${pad(`${(f.share * 100).toFixed(1)}%`, 6)}  ${pad(formatMs(f.total_ms), 10)}  ${pad(formatMs(f.self_ms), 10)}  ` +
          `${pad(String(f.calls), 9)}  ${f.function}  ${f.file}:${f.line}`,
      );
    }
  }
  if (json.python) lines.push(`  python ${formatInterpreter(json.python)}`);
  return lines.join('\n');
}
