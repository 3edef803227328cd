import { describe, expect, it } from 'vitest';
import { isGlob, matchesGlob } from '../../src/languages/testGlob';

describe('runner glob patterns', () => {
  it("matches jest's default testMatch", () => {
    const testsFolder = '**/__tests__/**/*.[jt]s?(x)';
    const named = '**/?(*.)+(spec|test).[jt]s?(x)';
    expect(matchesGlob('src/__tests__/sum.js', testsFolder)).toBe(true);
    expect(matchesGlob('__tests__/deep/sum.tsx', testsFolder)).toBe(true);
    expect(matchesGlob('src/__tests__/sum.mjs', testsFolder)).toBe(false);
    expect(matchesGlob('src/sum.test.ts', named)).toBe(true);
    expect(matchesGlob('sum.spec.jsx', named)).toBe(true);
    expect(matchesGlob('src/sum.ts', named)).toBe(false);
    expect(matchesGlob('src/contest.js', named)).toBe(false);
  });

  it("matches vitest's default include and brace lists", () => {
    const include = '**/*.{test,spec}.?(c|m)[jt]s?(x)';
    expect(matchesGlob('test/query.test.ts', include)).toBe(true);
    expect(matchesGlob('test/query.spec.mts', include)).toBe(true);
    expect(matchesGlob('test/query.ts', include)).toBe(false);
    expect(matchesGlob('test/a.js', './test/*.{js,cjs,mjs}')).toBe(true);
    expect(matchesGlob('test/sub/a.js', 'test/*.{js,cjs,mjs}')).toBe(false);
  });

  it('tells globs from plain paths', () => {
    expect(isGlob('test/**/*.spec.js')).toBe(true);
    expect(isGlob('test')).toBe(false);
    expect(isGlob('test/unit.spec.js')).toBe(false);
  });
});
