/**
 * The test files of a project folder, per language, by the conventions its runners discover:
 * pytest/unittest `test_*.py` and `*_test.py`; jest/vitest/node:test `*.test.*`, `*.spec.*` and
 * files under `__tests__`. Installed packages, environments and build output are not searched.
 */
import { readFileSync, readdirSync } from 'node:fs';
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

/**
 * The `testpaths` of a pytest configuration text (pyproject.toml's [tool.pytest.ini_options], or the
 * [pytest] / [tool:pytest] section of pytest.ini, tox.ini, setup.cfg), or undefined when it sets none.
 */
export function pytestTestpaths(fileName: string, text: string): string[] | undefined {
  const section =
    fileName === 'pyproject.toml' ? 'tool.pytest.ini_options' : fileName === 'setup.cfg' ? 'tool:pytest' : 'pytest';
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === `[${section}]`);
  if (start < 0) return undefined;
  for (let i = start + 1; i < lines.length && !/^\s*\[/.test(lines[i] ?? ''); i++) {
    const m = /^\s*testpaths\s*=\s*(.*)$/.exec(lines[i] ?? '');
    if (!m) continue;
    let value = m[1] ?? '';
    if (fileName === 'pyproject.toml') {
      // A TOML array, possibly over several lines.
      while (!value.includes(']') && i + 1 < lines.length) value += ' ' + (lines[++i] ?? '');
      return [...value.matchAll(/["']([^"']+)["']/g)].map((q) => q[1] ?? '').filter((p) => p.length > 0);
    }
    // INI: whitespace-separated, continuation lines indented.
    while (i + 1 < lines.length && /^\s+\S/.test(lines[i + 1] ?? '') && !/=/.test(lines[i + 1] ?? ''))
      value += ' ' + lines[++i];
    return value.split(/\s+/).filter((p) => p.length > 0);
  }
  return undefined;
}

const PYTEST_CONFIGS = ['pytest.ini', 'pyproject.toml', 'tox.ini', 'setup.cfg'];

/** The folders pytest's own configuration in `dir` points at (its `testpaths`), if any. */
export function configuredPythonTestRoots(dir: string): string[] | undefined {
  for (const name of PYTEST_CONFIGS) {
    let text: string;
    try {
      text = readFileSync(path.join(dir, name), 'utf8');
    } catch {
      continue;
    }
    const paths = pytestTestpaths(name, text);
    if (paths) return paths.map((p) => path.resolve(dir, p));
  }
  return undefined;
}

/** The project's tests under `dir`: Python tests only where pytest's `testpaths` says, when it does. */
export function findProjectTests(dir: string): string[] {
  const all = findTestFiles(dir);
  const roots = configuredPythonTestRoots(dir);
  if (!roots) return all;
  const inRoots = (file: string): boolean => roots.some((root) => file === root || file.startsWith(root + path.sep));
  return all.filter((file) => testGroupOf(file) !== 'python' || inRoots(file));
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
