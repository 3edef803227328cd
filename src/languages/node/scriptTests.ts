/**
 * Where JavaScript and TypeScript tests live (jest, vitest, mocha, node:test): `*.test.*`,
 * `*.spec.*`, files under `test/`, `tests/`, `__tests__/`, `__test__/` or `spec/` folders (at the
 * root or beside the module), a root `test.js`, and whatever the runner's config adds
 * (scriptTestConfig.ts).
 */
import type { RunnerTestPatterns, TestConventions } from '../languageModule';
import { matchesGlob } from '../testGlob';
import { scriptImports } from './scriptImports';
import { SCRIPT_CONFIG_FILES, scriptRunnerPatterns } from './scriptTestConfig';

export const SCRIPT_EXTENSIONS = ['js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx'];
const TEST_FOLDERS = new Set(['test', 'tests', '__tests__', '__test__', 'spec']);
/** Folders inside test folders that hold data or doubles, not tests. */
const NOT_TEST_FOLDERS = new Set(['fixtures', '__fixtures__', '__mocks__', '__snapshots__', 'node_modules']);
const NAMED_TEST = /^(.*)\.(test|spec)\.([a-z]+)$/;
const ROOT_TEST = /^tests?\.[cm]?[jt]sx?$/;

function isScript(base: string): boolean {
  const dot = base.lastIndexOf('.');
  return dot > 0 && SCRIPT_EXTENSIONS.includes(base.slice(dot + 1)) && !/\.d\.[cm]?ts$/.test(base);
}

function byRunner(path: string, patterns: RunnerTestPatterns): boolean {
  if (patterns.roots.length > 0 && !patterns.roots.some((root) => root === '' || path.startsWith(`${root}/`))) {
    return false;
  }
  return patterns.globs.some((glob) => matchesGlob(path, glob)) || patterns.regexes.some((re) => re.test(`/${path}`));
}

export const scriptTests: TestConventions = {
  sourceExtensions: SCRIPT_EXTENSIONS,
  configFiles: SCRIPT_CONFIG_FILES,
  runnerPatterns: scriptRunnerPatterns,
  judge(path, patterns) {
    const parts = path.split('/');
    const base = parts[parts.length - 1] ?? '';
    // `*.test-d.ts` are type tests (vitest typecheck, tsd): nothing runs them as code.
    if (!isScript(base) || /\.test-d\./.test(base) || parts.some((part) => NOT_TEST_FOLDERS.has(part))) {
      return undefined;
    }
    const named = NAMED_TEST.exec(base);
    if (named) return { reason: `a .${named[2]} file` };
    const folder = parts.slice(0, -1).find((part) => TEST_FOLDERS.has(part));
    if (folder !== undefined) return { reason: `in ${folder}/` };
    if (parts.length === 1 && ROOT_TEST.test(base)) return { reason: `the project's ${base}` };
    if (byRunner(path, patterns)) return { reason: `matches ${patterns.source ?? "the runner's patterns"}` };
    return undefined;
  },
  namedAfter(path, module) {
    const base = path.slice(path.lastIndexOf('/') + 1);
    const stem = (NAMED_TEST.exec(base)?.[1] ?? base.replace(/\.[a-z]+$/, '')).toLowerCase();
    const lower = module.toLowerCase();
    // quick_sort.ts ↔ quick_sort.test.ts, QuickSort.js ↔ quickSort.test.js, index.ts ↔ test.js beside it.
    return stem === lower || stem.replace(/[-_]/g, '') === lower.replace(/[-_]/g, '');
  },
  imports: scriptImports,
  description:
    "*.test.*, *.spec.*, files under test/, tests/, __tests__/, __test__/ or spec/, a root test.js, and the runner config's patterns",
  exampleTestPath(modulePath) {
    const dot = modulePath.lastIndexOf('.');
    return dot > modulePath.lastIndexOf('/')
      ? `${modulePath.slice(0, dot)}.test${modulePath.slice(dot)}`
      : `${modulePath}.test.js`;
  },
  dialogFilters: { 'JavaScript/TypeScript tests': SCRIPT_EXTENSIONS },
};
