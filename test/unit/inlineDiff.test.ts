import { describe, expect, it } from 'vitest';
import { inlineDiff } from '../../src/panel/inlineDiff';

const current =
  'import math\n\ndef total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n\nprint(total([1]))\n';
const candidate = 'import math\n\ndef total(xs):\n    return sum(xs)\n\nprint(total([1]))\n';

describe('inline diff', () => {
  it('keeps every line of both versions once, in order, each tagged', () => {
    const diff = inlineDiff(current, candidate);
    const lines = diff.text.split('\n').slice(0, -1);
    expect(lines).toHaveLength(diff.kinds.length);
    expect(lines.filter((_, i) => diff.kinds[i] !== 'added').join('\n') + '\n').toBe(current);
    expect(lines.filter((_, i) => diff.kinds[i] !== 'removed').join('\n') + '\n').toBe(candidate);
    expect(diff.removed).toBe(4);
    expect(diff.added).toBe(1);
    expect(lines[diff.kinds.indexOf('added')]).toBe('    return sum(xs)');
  });

  it('groups consecutive changed lines into hunks, one per changed place', () => {
    const withImport = `from functools import reduce\n${candidate}`;
    const diff = inlineDiff(current, withImport);
    expect(diff.hunks).toEqual([
      { startLine: 0, endLine: 1 },
      { startLine: 4, endLine: 9 },
    ]);
    expect(diff.kinds.slice(4, 9)).toEqual(['removed', 'removed', 'removed', 'removed', 'added']);
  });

  it('shows no change for identical text, and none for a missing final newline or CRLF line ends', () => {
    expect(inlineDiff(current, current)).toMatchObject({ hunks: [], added: 0, removed: 0, text: current });
    expect(inlineDiff(current.trimEnd(), current).hunks).toEqual([]);
    expect(inlineDiff(current.replace(/\n/g, '\r\n'), current).hunks).toEqual([]);
  });

  it('handles an empty side', () => {
    expect(inlineDiff('', 'a\nb\n')).toMatchObject({
      kinds: ['added', 'added'],
      hunks: [{ startLine: 0, endLine: 2 }],
    });
    expect(inlineDiff('a\n', '')).toMatchObject({ kinds: ['removed'], text: 'a\n' });
  });
});
