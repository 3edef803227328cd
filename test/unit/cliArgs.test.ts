import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommonArgs, parseSizes } from '../../src/cli/cliArgs';
import { languageForPath } from '../../src/languages/registry';
import { selectTests } from '../../src/cli/testSelection';

describe('common CLI arguments', () => {
  it('parses repeated --tests and the limits', () => {
    const parsed = parseCommonArgs(
      [
        'a.py',
        '--function',
        'f',
        '--tests',
        't1.py',
        '--tests',
        't2.py',
        '--sandbox',
        'local',
        '--timeout',
        '2.5',
        '--memory',
        '128',
        '--json',
      ],
      {},
    );
    expect(parsed).toMatchObject({
      kind: 'ok',
      args: {
        file: 'a.py',
        functionName: 'f',
        tests: ['t1.py', 't2.py'],
        sandbox: 'local',
        timeoutMs: 2500,
        memoryMb: 128,
        json: true,
      },
    });
  });

  it('defaults to auto, 60 s and 512 MB', () => {
    expect(parseCommonArgs(['a.py', '--function', 'C.m'], {})).toMatchObject({
      kind: 'ok',
      args: { sandbox: 'auto', timeoutMs: 60_000, memoryMb: 512, json: false, tests: [] },
    });
  });

  it('explains bad usage', () => {
    const message = (argv: string[]): string => {
      const parsed = parseCommonArgs(argv, {});
      return parsed.kind === 'usage' ? parsed.message : `not a usage error: ${parsed.kind}`;
    };
    expect(message(['--function', 'f'])).toMatch(/Missing FILE/);
    expect(message(['a.py'])).toMatch(/--function/);
    expect(message(['a.py', '--function', 'f', '--sandbox', 'vm'])).toMatch(/auto, docker or local/);
    expect(message(['a.py', '--function', 'f', '--timeout', 'soon'])).toMatch(/--timeout must be a positive number/);
    expect(message(['a.py', '--function', 'f', '--bogus'])).toMatch(/bogus/);
  });

  it('parses --sizes', () => {
    expect(parseSizes('100,1000, 10000')).toEqual([100, 1000, 10000]);
    expect(parseSizes('10,x')).toMatch(/positive integers/);
    expect(parseSizes(undefined)).toBeUndefined();
  });

  it('knows languages by extension', () => {
    expect(languageForPath('x.py')?.id).toBe('python');
    expect(languageForPath('x.mjs')?.id).toBe('javascript');
    expect(languageForPath('x.tsx')?.id).toBe('typescript');
    expect(languageForPath('x.rb')).toBeUndefined();
  });
});

describe('test discovery', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  const write = (rel: string, text: string): string => {
    const file = path.join(root as string, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };

  it('finds Python tests next to and above the module that import it and mention the function', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cliargs-'));
    write('pyproject.toml', '');
    const module = write('pkg/sorter.py', 'def slow_sort(xs): return sorted(xs)\n');
    const next = write('pkg/test_sorter.py', 'from sorter import slow_sort\n');
    const suffix = write('pkg/sorter_test.py', 'import sorter\nsorter.slow_sort([1])\n');
    const above = write('tests/test_sorter.py', 'from pkg.sorter import slow_sort\n');
    write('pkg/tests/test_sorter.py', 'def test_other(): pass\n');
    const found = await selectTests(module, 'python', 'slow_sort');
    // Closest first; files in the same folder by name.
    expect(found.kind === 'found' && found.tests).toEqual([suffix, next, above]);
    expect(found.kind === 'found' && found.explanation.join('\n')).toContain(
      'pkg/test_sorter.py: imports pkg/sorter.py, mentions slow_sort',
    );
  });

  it('finds JS/TS tests by .test, .spec and __tests__ that import the module', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cliargs-'));
    write('package.json', '{}');
    const module = write('src/math.ts', 'export function add(a: number, b: number) { return a + b; }\n');
    const a = write('src/math.test.ts', "import { add } from './math';\n");
    const b = write('src/math.spec.mjs', "import { add } from './math.js';\n");
    const c = write('src/__tests__/math.ts', "import { add } from '../math';\n");
    // A test that only mentions add but imports a file that does not exist is not run beside importers.
    write('src/other.spec.mjs', "import { add } from './math.mjs';\n");
    expect(await selectTests(module, 'typescript', 'add')).toMatchObject({ kind: 'found', tests: [b, a, c] });
  });

  it('says what it looked for and what it saw when nothing matches', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cliargs-'));
    write('.git/HEAD', '');
    const module = write('lonely.py', 'def f(): pass\n');
    write('tests/test_other.py', 'from other import g\n');
    const result = await selectTests(module, 'python', 'f');
    expect(result.kind).toBe('none');
    const message = result.kind === 'none' ? result.message : '';
    expect(message).toContain("No tests found for 'f'");
    expect(message).toContain('test_*.py');
    expect(message).toContain("found 1 test file(s), none of which imports lonely.py or mentions 'f'");
    expect(message).toContain('(e.g. tests/test_lonely.py)');
    expect(message).toContain('--tests PATH');
  });
});
