import { describe, expect, it } from 'vitest';
import { isOutsideProject, isTestFile, rankHotspots } from '../../src/core/hotspots';
import type { RawHotspot } from '../../src/core/sandboxTypes';
import { languageOf } from '../../src/languages/registry';

const GEOMETRY = [
  'import math',
  '',
  '',
  'def distance(a, b):',
  '    return math.hypot(a[0] - b[0], a[1] - b[1])',
  '',
  '',
  'class Grid:',
  '    def __init__(self, cells):',
  '        self.cells = cells',
  '',
  '    @staticmethod',
  '    def neighbours(cell):',
  '        return [cell]',
  '',
  '    def scan(self):',
  '        def visit(c):',
  '            return distance(c, c)',
  '        return [visit(c) for c in self.cells]',
].join('\n');

const LABELS_TS = [
  'export class Labeler {',
  '  label(names: string[]): string[] {',
  '    return names.map((n) => slug(n));',
  '  }',
  '}',
  'export const slug = (text: string): string => text.toLowerCase();',
].join('\n');

const raw = (file: string, line: number, name: string, totalMs: number, calls = 1, selfMs = totalMs): RawHotspot => ({
  file,
  line,
  name,
  totalMs,
  selfMs,
  calls,
});

const sources: Record<string, string> = { 'pkg/geometry.py': GEOMETRY, 'src/labels.ts': LABELS_TS };
const sourceOf = (file: string): string | undefined => sources[file];

describe('rankHotspots', () => {
  it('ranks by inclusive time and gives each function its share of the tests time', () => {
    const ranked = rankHotspots({
      language: languageOf('python'),
      testMs: 200,
      sourceOf,
      functions: [raw('pkg/geometry.py', 4, 'distance', 50, 1000, 40), raw('pkg/geometry.py', 16, 'scan', 150, 2, 5)],
    });
    expect(ranked.map((f) => [f.function, f.line, f.calls, f.share])).toEqual([
      ['Grid.scan', 16, 2, 0.75],
      ['distance', 4, 1000, 0.25],
    ]);
    expect(ranked[1]?.selfMs).toBe(40);
  });

  it('names methods Class.method, finds decorated ones by their decorator line, and leaves nested ones out', () => {
    const ranked = rankHotspots({
      language: languageOf('python'),
      testMs: 10,
      sourceOf,
      functions: [
        raw('pkg/geometry.py', 9, '__init__', 3),
        raw('pkg/geometry.py', 12, 'neighbours', 2),
        raw('pkg/geometry.py', 17, 'visit', 1),
      ],
    });
    expect(ranked.map((f) => f.function)).toEqual(['Grid.__init__', 'Grid.neighbours']);
  });

  it('maps V8 method and arrow-function names of TypeScript to what profile accepts', () => {
    const ranked = rankHotspots({
      language: languageOf('typescript'),
      testMs: 10,
      sourceOf,
      functions: [raw('src/labels.ts', 2, 'label', 4), raw('src/labels.ts', 6, 'slug', 3)],
    });
    expect(ranked.map((f) => [f.function, f.line])).toEqual([
      ['Labeler.label', 2],
      ['slug', 6],
    ]);
  });

  it('drops tests, installed packages, class bodies and entries whose source does not name them', () => {
    const ranked = rankHotspots({
      language: languageOf('python'),
      testMs: 100,
      sourceOf,
      testFiles: ['pkg/geometry_checks.py'],
      functions: [
        raw('tests/test_geometry.py', 3, 'test_distance', 90),
        raw('pkg/geometry_checks.py', 1, 'check', 80),
        raw('.venv/lib/python3.12/site-packages/numpy/core.py', 10, 'dot', 70),
        raw('pkg/geometry.py', 8, 'Grid', 60),
        raw('pkg/geometry.py', 4, 'renamed', 50),
        raw('pkg/missing.py', 1, 'gone', 40),
        raw('pkg/geometry.py', 4, 'distance', 5),
      ],
    });
    expect(ranked.map((f) => f.function)).toEqual(['distance']);
  });

  it('adds up entries that are the same function and keeps the top N', () => {
    const ranked = rankHotspots({
      language: languageOf('python'),
      testMs: 100,
      sourceOf,
      top: 1,
      functions: [
        raw('pkg/geometry.py', 4, 'distance', 30, 10),
        raw('pkg/geometry.py', 4, 'distance', 30, 5),
        raw('pkg/geometry.py', 16, 'scan', 50),
      ],
    });
    expect(ranked).toEqual([
      { file: 'pkg/geometry.py', function: 'distance', line: 4, totalMs: 60, selfMs: 60, calls: 15, share: 0.6 },
    ]);
  });

  it('caps a share at 1 when a function also ran outside the tests (at import), and is 0 without test time', () => {
    const functions = [raw('pkg/geometry.py', 4, 'distance', 120)];
    expect(rankHotspots({ language: languageOf('python'), testMs: 100, sourceOf, functions })[0]?.share).toBe(1);
    expect(rankHotspots({ language: languageOf('python'), testMs: 0, sourceOf, functions })[0]?.share).toBe(0);
  });
});

describe('test and outside files', () => {
  it('knows the test file conventions of pytest, jest, vitest and node:test', () => {
    for (const file of [
      'test_a.py',
      'pkg/a_test.py',
      'conftest.py',
      'tests/helpers.py',
      'src/a.test.ts',
      'a.spec.mjs',
      '__tests__/a.js',
    ])
      expect(isTestFile(file), file).toBe(true);
    for (const file of ['pkg/testing_tools.py', 'src/contest.ts', 'src/latest.py', 'attest/a.py'])
      expect(isTestFile(file), file).toBe(false);
  });

  it('knows installed packages and environments', () => {
    expect(isOutsideProject('node_modules/lodash/index.js')).toBe(true);
    expect(isOutsideProject('.venv/lib/python3.12/site-packages/x.py')).toBe(true);
    expect(isOutsideProject('../elsewhere.py')).toBe(true);
    expect(isOutsideProject('src/site.py')).toBe(false);
  });
});
