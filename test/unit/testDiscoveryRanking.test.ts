import { describe, expect, it } from 'vitest';
import { rankTestFiles, testFileGlob } from '../../src/languages/testFileRanking';

describe('test file ranking (Python)', () => {
  it('puts test_<module>.py first and keeps tests/ files only when they mention the function', () => {
    const ranked = rankTestFiles('python', 'pkg/stats.py', 'mean', [
      { path: 'tests/test_other.py', text: 'from pkg.other import median\n' },
      { path: 'tests/test_numbers.py', text: 'from pkg.stats import mean\nassert mean([1]) == 1\n' },
      { path: 'tests/test_stats.py', text: 'import pkg\n' },
      { path: 'tests/helpers.py', text: 'def meaning(): pass\n' },
      { path: 'tests/conftest.py', text: 'mean = 1\n' },
    ]);
    expect(ranked.map((r) => r.path)).toEqual(['tests/test_stats.py', 'tests/test_numbers.py']);
    expect(ranked[0]?.strong).toBe(true);
    expect(ranked[1]?.reason).toContain('mentions mean');
  });

  it('accepts <module>_test.py and prefers the one next to the module', () => {
    const ranked = rankTestFiles('python', 'src/app/stats.py', 'Stats.mean', [
      { path: 'other/stats_test.py', text: 'Stats().mean()' },
      { path: 'src/app/stats_test.py', text: 'Stats().mean()' },
    ]);
    expect(ranked.map((r) => r.path)).toEqual(['src/app/stats_test.py', 'other/stats_test.py']);
  });

  it('never offers the module itself', () => {
    expect(
      rankTestFiles('python', 'tests/test_x.py', 'f', [{ path: 'tests/test_x.py', text: 'def f(): pass' }]),
    ).toEqual([]);
  });
});

describe('test file ranking (JavaScript/TypeScript)', () => {
  it('ranks <module>.test.* and __tests__/<module>.* above other test files', () => {
    const ranked = rankTestFiles('typescript', 'src/sort.ts', 'bubbleSort', [
      { path: 'src/other.spec.ts', text: "import { bubbleSort } from './sort'" },
      { path: 'src/__tests__/sort.ts', text: "import { bubbleSort } from '../sort'" },
      { path: 'src/sort.test.ts', text: "import { bubbleSort } from './sort'" },
      { path: 'src/unrelated.test.ts', text: "import { quick } from './quick'" },
    ]);
    expect(ranked.map((r) => r.path)).toEqual(['src/sort.test.ts', 'src/__tests__/sort.ts', 'src/other.spec.ts']);
    expect(ranked.filter((r) => r.strong).length).toBe(2);
  });

  it('does not take a mention inside a longer identifier for the function', () => {
    const ranked = rankTestFiles('javascript', 'lib/sum.js', 'sum', [{ path: 'lib/x.test.js', text: 'checksum(1)' }]);
    expect(ranked).toEqual([]);
  });

  it('searches the conventional names with one flat {…} group (ripgrep refuses nested ones)', () => {
    for (const language of ['python', 'javascript', 'typescript'] as const) {
      const glob = testFileGlob(language);
      expect(glob.startsWith('{') && glob.endsWith('}')).toBe(true);
      expect(glob.slice(1, -1)).not.toMatch(/[{}]/);
    }
    expect(testFileGlob('python')).toContain('**/test_*.py');
    expect(testFileGlob('typescript')).toContain('**/*.test.ts');
    expect(testFileGlob('javascript')).toContain('**/__tests__/**/*.js');
  });
});
