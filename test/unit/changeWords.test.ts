import { describe, expect, it } from 'vitest';
import { memoryWords, speedWords } from '../../src/core/changeWords';
import { growthExplanation, modelExplanation } from '../../src/core/explanation';
import { changedLines } from '../../src/core/diffSize';

describe('ratios in words', () => {
  it('says which way memory went: 20 kB → 110 kB is 5.5× higher, not "×0.18 memory"', () => {
    expect(memoryWords(20 / 110)).toBe('peak memory 5.5× higher');
    expect(memoryWords(100 / 38)).toBe('peak memory 62 % lower');
    expect(memoryWords(100 / 130)).toBe('peak memory 30 % higher');
    expect(memoryWords(1000 / 40)).toBe('peak memory 25× lower');
    expect(memoryWords(1.01)).toBe('peak memory about the same');
  });

  it('says faster or slower', () => {
    expect(speedWords(251)).toBe('251× faster');
    expect(speedWords(2.4)).toBe('2.4× faster');
    expect(speedWords(1.3)).toBe('1.30× faster');
    expect(speedWords(0.5)).toBe('2.0× slower');
  });
});

describe('explanations', () => {
  it('keeps the words around the code block and drops the code, even a cut-off block', () => {
    expect(modelExplanation('Use a set.\n```python\ndef f():\n    pass\n```\nSame results.')).toBe(
      'Use a set.\nSame results.',
    );
    expect(modelExplanation('```python\ndef f():\n    pass\n```')).toBeUndefined();
    expect(modelExplanation('A heap helps.\n```python\ndef f(')).toBe('A heap helps.');
  });

  it('names the growth classes of the original and the candidate', () => {
    const sizes = [100, 200, 400, 800, 1600];
    const quadratic = sizes.map((n) => ({ size: n, runtimeMs: 1e-5 * n * n, peakMemoryKb: 0.1 * n }));
    const linear = sizes.map((n) => ({ size: n, runtimeMs: 1e-3 * n, peakMemoryKb: 0.1 * n }));
    expect(growthExplanation(quadratic, linear)).toBe(
      'time ≈ n² → n, memory ≈ n in both (fitted over input sizes 100, 200, 400, 800, 1600)',
    );
    expect(growthExplanation(quadratic.slice(0, 2), linear.slice(0, 2))).toBeUndefined();
  });

  it('counts the lines a reviewer sees change', () => {
    expect(changedLines('def f():\n    return 1\n', 'def f():\n    return 2')).toBe(2);
    expect(changedLines('a\nb\n', 'a\nb\n')).toBe(0);
  });
});
