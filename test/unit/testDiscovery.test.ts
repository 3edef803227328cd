import { describe, expect, it } from 'vitest';
import type { Language } from '../../src/core/sandboxTypes';
import { discoverTests, type ProjectFiles } from '../../src/languages/testDiscovery';
import { pickTestFiles } from '../../src/languages/testFileRanking';

/** A project held in memory, listed like the CLI's walk and the extension's findFiles list it. */
function project(files: Record<string, string>): ProjectFiles & { readonly reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    list: (extensions) =>
      Promise.resolve({
        paths: Object.keys(files).filter((p) => extensions.some((e) => p.endsWith(`.${e}`))),
        truncated: false,
      }),
    read: (path) => {
      reads.push(path);
      return Promise.resolve(files[path]);
    },
  };
}

async function discover(language: Language, files: Record<string, string>, modulePath: string, functionName: string) {
  return discoverTests(project(files), { language, modulePath, functionName });
}

describe('test discovery for JavaScript and TypeScript', () => {
  it('finds tests in a __test__ folder beside the module (jest + babel layout)', async () => {
    const found = await discover(
      'javascript',
      {
        'package.json': '{"name":"javascript-algorithms","jest":{"roots":["<rootDir>/src"]}}',
        'src/algorithms/string/levenshtein-distance/levenshteinDistance.js':
          'export default function levenshteinDistance(a, b) {}',
        'src/algorithms/string/levenshtein-distance/__test__/levenshteinDistance.test.js':
          "import levenshteinDistance from '../levenshteinDistance';\ntest('x', () => levenshteinDistance('a', 'b'));",
        'src/algorithms/string/hamming-distance/__test__/hammingDistance.test.js':
          "import hammingDistance from '../hammingDistance';",
        'src/algorithms/string/hamming-distance/hammingDistance.js': 'export default function hammingDistance() {}',
      },
      'src/algorithms/string/levenshtein-distance/levenshteinDistance.js',
      'levenshteinDistance',
    );
    expect(found.ranked.map((r) => r.path)).toEqual([
      'src/algorithms/string/levenshtein-distance/__test__/levenshteinDistance.test.js',
    ]);
    expect(found.ranked[0]?.reason).toBe(
      'imports src/algorithms/string/levenshtein-distance/levenshteinDistance.js, mentions levenshteinDistance, named after the module, a .test file',
    );
    expect(found.testFiles).toBe(2);
  });

  it('finds sorts/test/quick_sort.test.ts for sorts/quick_sort.ts and ranks it above a test that only mentions the name', async () => {
    const found = await discover(
      'typescript',
      {
        'package.json': '{"name":"typescript"}',
        'sorts/quick_sort.ts': 'export const QuickSort = (a: number[]) => a;',
        'sorts/merge_sort.ts': 'export const MergeSort = (a: number[]) => a;',
        'sorts/test/merge_sort.test.ts': "import { MergeSort } from '../merge_sort';\n// faster than QuickSort",
        'sorts/test/quick_sort.test.ts': "import { QuickSort } from '../quick_sort';\nQuickSort([3, 1]);",
        'sorts/test/sorts.test.ts':
          "import { QuickSort } from '../quick_sort';\nimport { MergeSort } from '../merge_sort';",
      },
      'sorts/quick_sort.ts',
      'QuickSort',
    );
    expect(found.ranked.map((r) => r.path)).toEqual([
      'sorts/test/quick_sort.test.ts',
      'sorts/test/sorts.test.ts',
      'sorts/test/merge_sort.test.ts',
    ]);
    expect(pickTestFiles(found.ranked).files.map((f) => f.path)).toEqual([
      'sorts/test/quick_sort.test.ts',
      'sorts/test/sorts.test.ts',
    ]);
  });

  it("takes a root test.js that imports the package's index.js (node:test layout)", async () => {
    const found = await discover(
      'javascript',
      {
        'package.json': '{"name":"markdown-table","type":"module","scripts":{"test":"node --test"}}',
        'index.js': "export {markdownTable} from './lib/index.js'",
        'lib/index.js': 'export function markdownTable(table) {}',
        'test.js': "import {markdownTable} from 'markdown-table'\nmarkdownTable([['a']])",
      },
      'lib/index.js',
      'markdownTable',
    );
    expect(found.ranked).toHaveLength(1);
    expect(found.ranked[0]).toMatchObject({ path: 'test.js', imports: { via: 'index.js' }, mentions: true });
    expect(found.ranked[0]?.reason).toContain("the project's test.js");
  });

  it('reads vitest include from the test block (not coverage) and follows the src/index re-export', async () => {
    const found = await discover(
      'typescript',
      {
        'package.json': '{"name":"ufo","type":"module"}',
        'vitest.config.ts':
          "import { defineConfig } from 'vitest/config';\nexport default defineConfig({\n  test: {\n    coverage: { include: ['src/**/*.ts'] },\n    include: ['checks/**/*.check.ts'],\n  },\n});\n",
        'src/index.ts': "export * from './query';\nexport * from './utils';",
        'src/query.ts': 'export function parseQuery(q: string) { return {}; }',
        'src/utils.ts': 'export function joinURL() {}',
        'checks/query.check.ts': "import { parseQuery } from '../src';\nparseQuery('a=1');",
        'checks/join.check.ts': "import { joinURL } from '../src';\njoinURL();",
      },
      'src/query.ts',
      'parseQuery',
    );
    expect(found.runnerConfig).toBe('vitest include in vitest.config.ts');
    expect(found.testFiles).toBe(2);
    expect(found.ranked.map((r) => [r.path, r.imports])).toEqual([
      ['checks/query.check.ts', { via: 'src/index.ts' }],
      ['checks/join.check.ts', { via: 'src/index.ts' }],
    ]);
    // join.check.ts reaches the module through the index but never names parseQuery: not run.
    expect(pickTestFiles(found.ranked).files.map((f) => f.path)).toEqual(['checks/query.check.ts']);
  });

  it('runs the test named after the module when it reaches the function only through the package (ufo query.test.ts)', async () => {
    const found = await discover(
      'typescript',
      {
        'src/index.ts': "export * from './query';",
        'src/query.ts':
          'export function parseQuery(q: string) { return {}; }\nexport const getQuery = (u: string) => parseQuery(u);',
        'test/query.test.ts': "import { getQuery } from '../src';\ngetQuery('/?a=1');",
        'test/join.test.ts': "import { joinURL } from '../src';",
        'test/types.test-d.ts': "import { parseQuery } from '../src';\nexpectTypeOf(parseQuery('')).toBeObject();",
      },
      'src/query.ts',
      'parseQuery',
    );
    expect(found.testFiles).toBe(2);
    expect(pickTestFiles(found.ranked).files.map((f) => f.path)).toEqual(['test/query.test.ts']);
  });

  it('reads jest testMatch and roots from package.json, testRegex from jest.config.js, spec from .mocharc.yml', async () => {
    const files = {
      'package.json': JSON.stringify({ jest: { testMatch: ['**/*.check.js'], roots: ['<rootDir>/lib'] } }),
      'lib/sum.js': 'module.exports.sum = (a, b) => a + b;',
      'lib/sum.check.js': "const { sum } = require('./sum');\nsum(1, 2);",
      'other/sum.check.js': "const { sum } = require('../lib/sum');",
    };
    const jest = await discover('javascript', files, 'lib/sum.js', 'sum');
    // other/ is outside jest's roots.
    expect(jest.ranked.map((r) => r.path)).toEqual(['lib/sum.check.js']);
    expect(jest.ranked[0]?.reason).toContain('matches jest config in package.json');

    const regex = await discover(
      'javascript',
      {
        'jest.config.js': "module.exports = {\n  testRegex: '/verify/.*\\\\.js$',\n};\n",
        'lib/sum.js': 'module.exports.sum = (a, b) => a + b;',
        'verify/sum.js': "const { sum } = require('../lib/sum');\nsum(1, 2);",
      },
      'lib/sum.js',
      'sum',
    );
    expect(regex.ranked.map((r) => r.path)).toEqual(['verify/sum.js']);

    const mocha = await discover(
      'javascript',
      {
        '.mocharc.yml': "spec:\n  - 'verify/**/*.js'\ntimeout: 2000\n",
        'lib/sum.js': 'module.exports.sum = (a, b) => a + b;',
        'verify/sum.js': "const { sum } = require('../lib/sum');\nsum(1, 2);",
      },
      'lib/sum.js',
      'sum',
    );
    expect(mocha.runnerConfig).toBe('mocha spec in .mocharc.yml');
    expect(mocha.ranked.map((r) => r.path)).toEqual(['verify/sum.js']);
  });

  it('orders importers first, then mentions, then closeness, and requires both words of Class.method', async () => {
    const found = await discover(
      'typescript',
      {
        'src/url.ts': 'export class URL { toString() { return ""; } }',
        'test/far/url.test.ts': "import { URL } from '../../src/url';\nnew URL().toString();",
        'src/url.test.ts': "import { URL } from './url';\nnew URL().toString();",
        'src/mentions.test.ts': '// URL toString without an import',
        'src/imports.test.ts': "import { URL } from './url';\nnew URL();",
        'src/method.test.ts': 'x.toString();',
      },
      'src/url.ts',
      'URL.toString',
    );
    expect(found.ranked.map((r) => r.path)).toEqual([
      'src/url.test.ts',
      'test/far/url.test.ts',
      'src/imports.test.ts',
      'src/mentions.test.ts',
    ]);
  });

  it('says when nothing is a test file, and never reads files that are not tests', async () => {
    const files = project({ 'src/a.ts': 'export function a() {}', 'src/b.ts': "import { a } from './a'; a();" });
    const found = await discoverTests(files, { language: 'typescript', modulePath: 'src/a.ts', functionName: 'a' });
    expect(found.ranked).toEqual([]);
    expect(found.testFiles).toBe(0);
    expect(files.reads.filter((p) => p.startsWith('src/'))).toEqual([]);
  });
});

describe('test discovery for Python', () => {
  it('finds tests inside the package and reaches the module through the package __init__', async () => {
    const found = await discover(
      'python',
      {
        'setup.py': '',
        'toolz/__init__.py': 'from .itertoolz import *\nfrom .dicttoolz import *\n',
        'toolz/itertoolz.py': 'def frequencies(seq): pass\n',
        'toolz/dicttoolz.py': 'def merge(*dicts): pass\n',
        'toolz/tests/test_itertoolz.py':
          'from toolz.itertoolz import frequencies\n\ndef test_f():\n    frequencies([1])\n',
        'toolz/tests/test_inits.py': 'from toolz import frequencies, merge\n\ndef test_all():\n    frequencies([])\n',
        'toolz/tests/test_dicttoolz.py': 'from toolz import merge\n',
        'toolz/tests/conftest.py': 'from toolz.itertoolz import frequencies\n',
      },
      'toolz/itertoolz.py',
      'frequencies',
    );
    expect(found.ranked.map((r) => [r.path, r.imports])).toEqual([
      ['toolz/tests/test_itertoolz.py', 'direct'],
      ['toolz/tests/test_inits.py', { via: 'toolz/__init__.py' }],
      ['toolz/tests/test_dicttoolz.py', { via: 'toolz/__init__.py' }],
    ]);
    expect(pickTestFiles(found.ranked).files.map((f) => f.path)).toEqual([
      'toolz/tests/test_itertoolz.py',
      'toolz/tests/test_inits.py',
    ]);
  });

  it('follows a src layout re-export: import humanize; humanize.intcomma(…)', async () => {
    const found = await discover(
      'python',
      {
        'pyproject.toml': '[project]\nname = "humanize"\n',
        'src/humanize/__init__.py': 'from humanize.number import intcomma, intword\n',
        'src/humanize/number.py': 'def intcomma(value): pass\n',
        'tests/test_number.py': 'import humanize\n\ndef test_intcomma():\n    humanize.intcomma(1000)\n',
        'tests/test_time.py': 'import humanize\n\ndef test_naturaltime():\n    humanize.naturaltime(1)\n',
      },
      'src/humanize/number.py',
      'intcomma',
    );
    expect(pickTestFiles(found.ranked).files.map((f) => f.path)).toEqual(['tests/test_number.py']);
    expect(found.ranked[0]?.reason).toBe(
      'imports src/humanize/number.py through src/humanize/__init__.py, mentions intcomma, named after the module, a test module',
    );
  });

  it("uses pytest's testpaths and python_files from pyproject.toml, setup.cfg, tox.ini or pytest.ini", async () => {
    const layouts: Record<string, string> = {
      'pyproject.toml': '[tool.pytest.ini_options]\ntestpaths = [\n  "qa",\n]\npython_files = ["check_*.py"]\n',
      'setup.cfg': '[metadata]\nname = stats\n\n[tool:pytest]\ntestpaths =\n    qa\npython_files = check_*.py\n',
      'tox.ini': '[tox]\nenvlist = py311\n\n[pytest]\ntestpaths = qa\npython_files = check_*.py\n',
      'pytest.ini': '[pytest]\ntestpaths = qa docs\npython_files = check_*.py\n',
    };
    for (const [name, text] of Object.entries(layouts)) {
      const found = await discover(
        'python',
        {
          [name]: text,
          'stats/core.py': 'def mean(xs): pass\n',
          'qa/check_core.py': 'from stats.core import mean\n\ndef test_mean():\n    mean([1])\n',
          'stats/helpers.py': 'from stats.core import mean\n',
        },
        'stats/core.py',
        'mean',
      );
      expect(
        found.ranked.map((r) => r.path),
        name,
      ).toEqual(['qa/check_core.py']);
      expect(found.ranked[0]?.reason, name).toContain(`under testpaths (${name})`);
    }
  });

  it('takes tests only from testpaths when they are set, as pytest run at the root does', async () => {
    const found = await discover(
      'python',
      {
        'pyproject.toml': '[tool.pytest.ini_options]\ntestpaths = ["toolz/tests"]\n',
        'toolz/__init__.py': 'from .itertoolz import *\n',
        'toolz/itertoolz.py': 'def frequencies(seq): pass\n',
        'toolz/tests/test_itertoolz.py': 'from toolz.itertoolz import frequencies\nfrequencies([])\n',
        'bench/test_frequencies.py': 'from toolz import frequencies\nfrequencies([])\n',
      },
      'toolz/itertoolz.py',
      'frequencies',
    );
    expect(found.ranked.map((r) => r.path)).toEqual(['toolz/tests/test_itertoolz.py']);
  });

  it('imports a sibling module by its bare name (pytest rootdir insertion)', async () => {
    const found = await discover(
      'python',
      {
        'algorithms/sorter.py': 'def slow_sort(xs): pass\n',
        'algorithms/sorter_test.py': 'import sorter\n\ndef test():\n    sorter.slow_sort([])\n',
        'algorithms/test/test_misc.py': 'from algorithms import sorter\n\ndef test():\n    sorter.slow_sort([])\n',
      },
      'algorithms/sorter.py',
      'slow_sort',
    );
    expect(found.ranked.map((r) => [r.path, r.imports])).toEqual([
      ['algorithms/sorter_test.py', 'direct'],
      ['algorithms/test/test_misc.py', 'direct'],
    ]);
  });
});
