import { describe, expect, it } from 'vitest';
import { combineHotspots, formatHotspotsText, toHotspotsJson } from '../../src/cli/hotspotsJson';
import type { SandboxResult } from '../../src/core/sandboxTypes';

const info = { sandbox: 'local', isolation: 'local: test', wallMs: 900, output: '' } as const;
const source = 'def hot(n):\n    return sum(range(n))\n';
const context = {
  language: 'python' as const,
  testFiles: ['test_hot.py'],
  sourceOf: (file: string) => (file === 'hot.py' ? source : undefined),
  top: 10,
};
const profile = {
  testMs: 40,
  functions: [
    { file: 'hot.py', line: 1, name: 'hot', totalMs: 30, selfMs: 30, calls: 2 },
    { file: 'test_hot.py', line: 3, name: 'test_hot', totalMs: 40, selfMs: 1, calls: 1 },
  ],
};

describe('hotspots JSON', () => {
  it('keeps the contract fields and their meaning for a passed run', () => {
    const result: SandboxResult = {
      ...info,
      kind: 'passed',
      tests: { passed: 1, failed: 0 },
      runner: 'pytest',
      hotspots: profile,
    };
    const json = toHotspotsJson(result, context);
    expect(Object.keys(json).slice(0, 5)).toEqual(['status', 'language', 'tests', 'test_ms', 'functions']);
    expect(json).toMatchObject({ status: 'passed', language: 'python', tests: { passed: 1, failed: 0 }, test_ms: 40 });
    expect(json.functions).toEqual([
      { file: 'hot.py', function: 'hot', line: 1, total_ms: 30, self_ms: 30, calls: 2, share: 0.75 },
    ]);
    expect(json.message).toMatch(/hot \(hot\.py:1\) takes 75 %/);
  });

  it('reports failed tests beside the functions of the tests that ran', () => {
    const failures = [{ test: 'test_other', message: 'assert 1 == 2' }];
    const result: SandboxResult = {
      ...info,
      kind: 'failed',
      tests: { passed: 1, failed: 1 },
      runner: 'pytest',
      failures,
      hotspots: profile,
    };
    const json = toHotspotsJson(result, context);
    expect(json.status).toBe('failed');
    expect(json.failures).toEqual(failures);
    expect(json.functions[0]?.function).toBe('hot');
    expect(formatHotspotsText(json)).toMatch(/FAILED test_other: assert 1 == 2/);
  });

  it('says what happened when the run did not finish', () => {
    const json = toHotspotsJson({ ...info, kind: 'timeout', limitMs: 5000 }, context);
    expect(json).toMatchObject({ status: 'timeout', functions: [], test_ms: 0 });
    expect(json.message).toMatch(/timed out after 5 s/);
  });

  it('puts the language with most test time on top and lists all languages', () => {
    const passed = (testMs: number): SandboxResult => ({
      ...info,
      kind: 'passed',
      tests: { passed: 1, failed: 0 },
      runner: 'x',
      hotspots: { ...profile, testMs },
    });
    const python = toHotspotsJson(passed(40), context);
    const typescript = toHotspotsJson(passed(90), { ...context, language: 'typescript', sourceOf: () => undefined });
    const combined = combineHotspots([python, typescript]);
    expect(combined?.language).toBe('typescript');
    expect(combined?.languages?.map((l) => l.language)).toEqual(['python', 'typescript']);
    expect(combineHotspots([python])).toBe(python);
  });

  it('names files and the project root relative to the folder asked about', () => {
    const result: SandboxResult = {
      ...info,
      kind: 'passed',
      tests: { passed: 1, failed: 0 },
      runner: 'pytest',
      hotspots: profile,
    };
    // The profile's paths are the project root's; the user asked about its tests/ folder.
    const json = toHotspotsJson(result, { ...context, shownAs: (file) => `../${file}`, project: '..' });
    expect(json.functions.map((f) => f.file)).toEqual(['../hot.py']);
    expect(json.test_files).toEqual(['../test_hot.py']);
    expect(json.message).toMatch(/hot \(\.\.\/hot\.py:1\)/);
    expect(json.project).toBe('..');
    expect(formatHotspotsText(json)).toMatch(/^python \(\.\.\): passed/);
  });
});
