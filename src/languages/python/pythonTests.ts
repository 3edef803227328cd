/**
 * Where Python tests live (pytest's and unittest's rules): `test_*.py` and `*_test.py` anywhere
 * (the project's `python_files` when its config sets them), any `test*.py` under a `tests/` or
 * `test/` folder at the root or inside a package, and everything of that kind under pytest's
 * `testpaths` (pythonTestConfig.ts), which, when set, are the only places tests are taken from.
 */
import type { TestConventions } from '../languageModule';
import { matchesGlob } from '../testGlob';
import { pythonImports } from './pythonImports';
import { PYTHON_CONFIG_FILES, pythonRunnerPatterns } from './pythonTestConfig';

const NOT_TESTS = new Set(['__init__.py', 'conftest.py', 'setup.py']);
const DEFAULT_FILES = ['test_*.py', '*_test.py'];

function underRoots(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => root === '' || path === root || path.startsWith(`${root}/`));
}

export const pythonTests: TestConventions = {
  sourceExtensions: ['py'],
  configFiles: PYTHON_CONFIG_FILES,
  runnerPatterns: pythonRunnerPatterns,
  judge(path, patterns) {
    const parts = path.split('/');
    const base = parts[parts.length - 1] ?? '';
    if (!base.endsWith('.py') || NOT_TESTS.has(base)) return undefined;
    const fileGlobs = patterns.globs.length > 0 ? patterns.globs : DEFAULT_FILES;
    const named = fileGlobs.some((glob) => matchesGlob(base, glob));
    if (patterns.roots.length > 0) {
      // Like `pytest` run at the root: only testpaths are collected (bench/, docs/ examples are not).
      if (!underRoots(path, patterns.roots) || !(named || base.startsWith('test'))) return undefined;
      return { reason: `under testpaths (${patterns.source ?? 'pytest config'})` };
    }
    if (named) return { reason: 'a test module' };
    const folder = parts.slice(0, -1).find((part) => part === 'tests' || part === 'test');
    if (folder !== undefined && base.startsWith('test')) return { reason: `in ${folder}/` };
    return undefined;
  },
  namedAfter(path, module) {
    const base = path.slice(path.lastIndexOf('/') + 1);
    return base === `test_${module}.py` || base === `${module}_test.py` || base === `tests_${module}.py`;
  },
  imports: pythonImports,
  description:
    "test_*.py, *_test.py, test files under tests/ or test/ (at the root or inside a package) and pytest's testpaths",
  exampleTestPath(modulePath) {
    const base = modulePath.slice(modulePath.lastIndexOf('/') + 1);
    return `tests/test_${base}`;
  },
  dialogFilters: { 'Python tests': ['py'] },
};
