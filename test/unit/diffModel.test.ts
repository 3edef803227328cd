import { describe, expect, it } from 'vitest';
import { languageOf } from '../../src/languages/registry';
import {
  candidateChange,
  functionDiff,
  lineChanges,
  planCandidateEdits,
  replaceSpan,
  sameFunctionText,
} from '../../src/panel/diffModel';
import { locateFunction } from '../../src/core/functionLocator';

const original = 'def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s';
const candidate = 'def total(xs):\n    return sum(xs)';

describe('diff model', () => {
  it('replaces exactly the function span and nothing around it', () => {
    const doc = `import math\n\n${original}\n\nprint(total([1]))\n`;
    const start = doc.indexOf('def total');
    const text = replaceSpan(doc, { start, end: start + original.length }, candidate);
    expect(text).toBe(`import math\n\n${candidate}\n\nprint(total([1]))\n`);
  });

  it('refuses a span outside the document', () => {
    expect(() => replaceSpan('abc', { start: 2, end: 9 }, 'x')).toThrow(RangeError);
  });

  it('gives a unified diff of the function with line counts', () => {
    const diff = functionDiff(original, candidate, 'total');
    expect(diff.identical).toBe(false);
    expect(diff.added).toBe(1);
    expect(diff.removed).toBe(4);
    expect(diff.patch).toContain('--- total (current)');
    expect(diff.patch).toContain('+++ total (candidate)');
    expect(diff.patch).toContain('+    return sum(xs)');
    expect(diff.patch).toContain('-    for x in xs:');
  });

  it('counts an unchanged function as identical, whatever its final newline', () => {
    expect(functionDiff(original, original + '\n', 'total').identical).toBe(true);
    expect(lineChanges('a\nb', 'a\nb\n')).toEqual({ added: 0, removed: 0 });
  });

  it('treats line endings and trailing blanks as the same text, other edits as a change', () => {
    expect(sameFunctionText(original, original.replace(/\n/g, '\r\n') + '   \n')).toBe(true);
    expect(sameFunctionText(original, original.replace('s = 0', 's = 1'))).toBe(false);
    expect(sameFunctionText(original, '    ' + original)).toBe(false);
  });
});

describe('candidate change, re-applied at Accept time', () => {
  const moduleAtStart =
    'import os\n\nclass Bag:\n    def count(self, xs):\n        n = 0\n        for _ in xs:\n            n += 1\n        return n\n';
  const candidateModule =
    'import os\n\nfrom itertools import count as _c\n\nclass Bag:\n    def count(self, xs):\n        return len(list(xs))\n';

  it('reads the candidate function and the lines it added above its class', () => {
    const change = candidateChange(languageOf('python'), moduleAtStart, candidateModule, 'Bag.count');
    expect(change).toEqual({
      code: 'def count(self, xs):\n    return len(list(xs))',
      insertedAbove: 'from itertools import count as _c\n\n',
    });
  });

  it('puts the change where the method is now, even after edits elsewhere in the file', () => {
    const change = candidateChange(languageOf('python'), moduleAtStart, candidateModule, 'Bag.count');
    if (!change) throw new Error('no change');
    const now = '# a new comment\n' + moduleAtStart.replace('import os', 'import os\nimport sys');
    const location = locateFunction(languageOf('python'), now, 'Bag.count');
    if (!location) throw new Error('not found');
    const plan = planCandidateEdits(languageOf('python'), now, location, change);
    expect(plan.result).toBe(
      '# a new comment\nimport os\nimport sys\n\nfrom itertools import count as _c\n\nclass Bag:\n    def count(self, xs):\n        return len(list(xs))\n',
    );
    expect(plan.edits).toHaveLength(2);
  });

  it('keeps CRLF documents CRLF', () => {
    const change = { code: 'function f(a) {\n  return a * 2;\n}' };
    const doc = 'const x = 1;\r\nfunction f(a) {\r\n  return a + a;\r\n}\r\n';
    const location = locateFunction(languageOf('javascript'), doc, 'f');
    if (!location) throw new Error('not found');
    expect(planCandidateEdits(languageOf('javascript'), doc, location, change).result).toBe(
      'const x = 1;\r\nfunction f(a) {\r\n  return a * 2;\r\n}\r\n',
    );
  });
});
