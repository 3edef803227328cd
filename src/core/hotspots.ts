/**
 * From a profiler's raw table to the ranking `afterburner hotspots` shows: only the project's own
 * functions (no tests, no installed packages), each under the name `profile`/`optimize` accept
 * (`name` or `Class.method`, found by the same locator), most inclusive time first.
 */
import { listFunctions } from './functionLocator';
import type { FunctionLocation } from './functionLocator';
import type { LanguageSupport } from './languageSupport';
import type { RawHotspot } from './sandboxTypes';

export interface HotFunction {
  /** Relative to the folder the user asked about, POSIX separators. */
  readonly file: string;
  /** `name` or `Class.method`, as `profile --function` takes it. */
  readonly function: string;
  /** 1-based line of the definition. */
  readonly line: number;
  readonly totalMs: number;
  readonly selfMs: number;
  readonly calls: number;
  /** Inclusive time as a fraction of the tests' time, 0..1. */
  readonly share: number;
}

export interface RankInput {
  readonly language: LanguageSupport;
  readonly functions: readonly RawHotspot[];
  /** The tests' own time, the denominator of `share`. */
  readonly testMs: number;
  /** The source text of a reported file, or undefined when it cannot be read. */
  readonly sourceOf: (file: string) => string | undefined;
  /** Files the tests ran that are not the project's own code (the test files given). */
  readonly testFiles?: readonly string[];
  /** Keep at most this many (all when absent). */
  readonly top?: number;
}

const OUTSIDE_SEGMENTS = new Set(['node_modules', 'site-packages', 'dist-packages', '.venv', 'venv', '__pypackages__']);
const TEST_FOLDERS = new Set(['tests', 'test', '__tests__', 'testing']);
const TEST_FILE_NAME = /^(test_.*\.py|.*_test\.py|conftest\.py|.*\.(test|spec)\.[cm]?[jt]sx?)$/;

/** Test code, by the conventions pytest, unittest, jest, vitest and node:test discover. */
export function isTestFile(file: string): boolean {
  const parts = file.split('/');
  const name = parts[parts.length - 1] ?? '';
  return TEST_FILE_NAME.test(name) || parts.slice(0, -1).some((p) => TEST_FOLDERS.has(p));
}

/** Code that belongs to an installed package or environment, not to the project. */
export function isOutsideProject(file: string): boolean {
  return file.startsWith('../') || file.startsWith('/') || file.split('/').some((p) => OUTSIDE_SEGMENTS.has(p));
}

/**
 * The definition a profiler entry stands for: the innermost function named `name` whose lines hold
 * `line` (a profiler places a function at its `def`/`function` line, or at its first decorator).
 */
export function functionAt(
  functions: readonly FunctionLocation[],
  line: number,
  name: string,
): FunctionLocation | undefined {
  const zeroBased = line - 1;
  let found: FunctionLocation | undefined;
  for (const f of functions) {
    if (f.name !== name || zeroBased < f.startLine || zeroBased > f.endLine) continue;
    if (!found || f.endLine - f.startLine < found.endLine - found.startLine) found = f;
  }
  return found;
}

/**
 * A name the optimizer can target: a module-level function or a method of a module-level class.
 * Nested functions (`outer.inner`) cannot be recorded from outside, so they are not offered.
 */
function isTargetable(f: FunctionLocation): boolean {
  return f.kind === 'method' ? f.qualifiedName === `${f.className ?? ''}.${f.name}` : f.qualifiedName === f.name;
}

/** Ranks the project's own functions by inclusive time; entries no locator can name are dropped. */
export function rankHotspots(input: RankInput): HotFunction[] {
  const tests = new Set(input.testFiles ?? []);
  const located = new Map<string, FunctionLocation[] | undefined>();
  const definitions = (file: string): FunctionLocation[] | undefined => {
    if (!located.has(file)) {
      const text = input.sourceOf(file);
      located.set(file, text === undefined ? undefined : listFunctions(input.language, text));
    }
    return located.get(file);
  };
  const merged = new Map<string, Omit<HotFunction, 'share'>>();
  for (const raw of input.functions) {
    if (tests.has(raw.file) || isTestFile(raw.file) || isOutsideProject(raw.file)) continue;
    const found = functionAt(definitions(raw.file) ?? [], raw.line, raw.name);
    // Class bodies, module code, anonymous callbacks and nested functions: nothing the optimizer could target.
    if (!found || !isTargetable(found)) continue;
    const key = `${raw.file}\0${found.qualifiedName}`;
    const before = merged.get(key);
    merged.set(key, {
      file: raw.file,
      function: found.qualifiedName,
      line: found.startLine + 1,
      totalMs: (before?.totalMs ?? 0) + raw.totalMs,
      selfMs: (before?.selfMs ?? 0) + raw.selfMs,
      calls: (before?.calls ?? 0) + raw.calls,
    });
  }
  const ranked = [...merged.values()]
    .map((f) => ({ ...f, share: input.testMs > 0 ? Math.min(1, f.totalMs / input.testMs) : 0 }))
    .sort((a, b) => b.totalMs - a.totalMs || b.selfMs - a.selfMs || a.function.localeCompare(b.function));
  return input.top !== undefined ? ranked.slice(0, input.top) : ranked;
}
