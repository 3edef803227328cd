/**
 * The test files of a project folder, per language, by the conventions its runners discover:
 * pytest/unittest `test_*.py` and `*_test.py`; jest/vitest/node:test `*.test.*`, `*.spec.*` and
 * files under `__tests__`. Installed packages, environments and build output are not searched.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Language } from '../core/sandboxTypes';

const SKIP_DIRS = new Set(['node_modules', '__pycache__', 'venv', 'env', 'dist', 'build', 'coverage', 'out']);
const PYTHON_TEST = /^(test_.*|.*_test)\.py$/;
const JS_TEST = /\.(test|spec)\.[cm]?[jt]sx?$/;
const JS_FILE = /\.[cm]?[jt]sx?$/;
const TS_FILE = /\.[cm]?tsx?$/;
const MAX_DEPTH = 6;
const MAX_TESTS = 200;

export interface LanguageTests {
  readonly language: Language;
  /** Absolute paths. */
  readonly tests: readonly string[];
}

export type TestGroupKey = 'python' | 'node';

export function testGroupOf(file: string): TestGroupKey | undefined {
  if (file.endsWith('.py')) return 'python';
  return JS_FILE.test(file) && !file.endsWith('.d.ts') ? 'node' : undefined;
}

function isTest(name: string, parents: readonly string[]): boolean {
  if (PYTHON_TEST.test(name)) return true;
  if (!JS_FILE.test(name) || name.endsWith('.d.ts')) return false;
  return JS_TEST.test(name) || parents.includes('__tests__');
}

/** Absolute paths of the test files under `dir`, sorted, at most MAX_TESTS. */
export function findTestFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string, parents: string[]): void => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (found.length >= MAX_TESTS) return;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (parents.length < MAX_DEPTH && !SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.'))
          walk(full, [...parents, entry.name]);
      } else if (entry.isFile() && isTest(entry.name, parents)) found.push(full);
    }
  };
  walk(path.resolve(dir), []);
  return found;
}

/** Groups test files by the harness that runs them; JS tests of a project with TypeScript run as TypeScript. */
export function groupTests(tests: readonly string[]): LanguageTests[] {
  const python = tests.filter((t) => testGroupOf(t) === 'python');
  const node = tests.filter((t) => testGroupOf(t) === 'node');
  const groups: LanguageTests[] = [];
  if (python.length > 0) groups.push({ language: 'python', tests: python });
  if (node.length > 0)
    groups.push({ language: node.some((t) => TS_FILE.test(t)) ? 'typescript' : 'javascript', tests: node });
  return groups;
}
