import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/bootstrap';
import {
  compareComplexity,
  describeComplexity,
  fitComplexity,
  type ComplexityClass,
} from '../../src/core/complexityFit';

const truth: Record<ComplexityClass, (n: number) => number> = {
  '1': () => 0.8,
  'log n': (n) => 0.05 * Math.log2(n),
  n: (n) => 0.002 * n,
  'n log n': (n) => 0.0004 * n * Math.log2(n),
  'n^2': (n) => 1e-6 * n * n,
  'n^3': (n) => 1e-9 * n ** 3,
  '2^n': (n) => 1e-5 * 2 ** n,
};

function sizesFor(c: ComplexityClass): number[] {
  if (c === '2^n') return [8, 10, 12, 14, 16, 18, 20, 22];
  if (c === 'n^3') return [16, 32, 64, 128, 256, 512];
  return [16, 64, 256, 1024, 4096, 16384, 65536];
}

/** Multiplicative noise of ±`level`, plus a small constant overhead as real measurements have. */
function noisy(c: ComplexityClass, level: number, seed: number): { x: number; y: number }[] {
  const random = seededRandom(seed);
  return sizesFor(c).map((n) => ({ x: n, y: (truth[c](n) + 0.001) * (1 + level * (2 * random() - 1)) }));
}

describe('fitComplexity', () => {
  for (const c of Object.keys(truth) as ComplexityClass[]) {
    it(`recognises ${c} under ±10 % noise across seeds`, () => {
      for (let seed = 1; seed <= 20; seed++) {
        const fit = fitComplexity(noisy(c, 0.1, seed));
        expect(fit.kind).toBe('fit');
        if (fit.kind === 'fit') expect({ seed, c: fit.complexity }).toEqual({ seed, c });
      }
    });
  }

  it('returns the coefficient of the growing part and a small relative error on clean data', () => {
    const fit = fitComplexity([100, 200, 400, 800, 1600].map((n) => ({ x: n, y: 3e-6 * n * n + 0.5 })));
    expect(fit).toMatchObject({ kind: 'fit', complexity: 'n^2' });
    if (fit.kind !== 'fit') return;
    expect(fit.coefficient).toBeCloseTo(3e-6, 9);
    expect(fit.intercept).toBeCloseTo(0.5, 6);
    expect(fit.relativeError).toBeLessThan(1e-6);
  });

  it('refuses to guess from too few sizes', () => {
    expect(
      fitComplexity([
        { x: 10, y: 1 },
        { x: 20, y: 2 },
        { x: 40, y: 4 },
      ]),
    ).toMatchObject({ kind: 'insufficient' });
  });

  it('calls all-zero memory constant', () => {
    expect(fitComplexity([1, 2, 4, 8].map((x) => ({ x, y: 0 })))).toMatchObject({ kind: 'fit', complexity: '1' });
  });
});

describe('describeComplexity', () => {
  it('calls sub-kilobyte memory wobble constant, not log n', () => {
    const points = [100, 300, 1000, 3000, 10000].map((size, i) => ({
      size,
      runtimeMs: 0.001 * size,
      peakMemoryKb: [0.6, 0.9, 1.1, 1.3, 1.5][i] ?? 1,
    }));
    expect(describeComplexity(points).memory).toMatchObject({ kind: 'fit', complexity: '1' });
  });

  it('fits time and memory separately and says so in one line', () => {
    const points = [64, 128, 256, 512, 1024, 2048].map((size) => ({
      size,
      runtimeMs: 1e-5 * size * size,
      peakMemoryKb: 0.1 * size,
    }));
    const d = describeComplexity(points);
    expect(d.time).toMatchObject({ kind: 'fit', complexity: 'n^2' });
    expect(d.memory).toMatchObject({ kind: 'fit', complexity: 'n' });
    expect(d.summary).toMatch(/^time ≈ n² \(fit within \d+ %\), memory ≈ n \(fit within \d+ %\)$/);
  });

  it('compares the original with a candidate on the same sizes', () => {
    const sizes = [100, 200, 400, 800, 1600, 3200];
    const original = sizes.map((size) => ({ size, runtimeMs: 1e-5 * size * size, peakMemoryKb: 1 }));
    const candidate = sizes.map((size) => ({
      size,
      runtimeMs: 1e-4 * size * Math.log2(size),
      peakMemoryKb: 0.01 * size,
    }));
    const cmp = compareComplexity(original, candidate);
    expect(cmp.summary).toBe('time n² → n log n, memory 1 → n');
    expect(cmp.speedupBySize.map((p) => p.size)).toEqual(sizes);
    expect(cmp.speedupBySize[5]?.speedup).toBeCloseTo((1e-5 * 3200 * 3200) / (1e-4 * 3200 * Math.log2(3200)), 6);
  });
});
