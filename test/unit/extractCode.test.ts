import { describe, expect, it } from 'vitest';
import { languageOf } from '../../src/languages/registry';
import { buildCandidateModule } from '../../src/core/candidateModule';
import { normalizeCode } from '../../src/core/codeNormalize';
import { extractCandidate, fencedBlocks } from '../../src/core/extractCode';

const ok = (r: ReturnType<typeof extractCandidate>) => {
  if (r.kind !== 'ok') throw new Error(`expected code, got: ${r.reason}`);
  return r.candidate;
};

describe('extractCandidate', () => {
  it('takes the last fenced block, tagged or not', () => {
    const reply =
      'First try:\n```python\ndef f(x):\n    return 1\n```\nBetter:\n```\ndef f(x):\n    return 2\n```\nDone.';
    expect(ok(extractCandidate(languageOf('python'), reply, 'f')).code).toBe('def f(x):\n    return 2');
  });

  it('rejects a reply with prose only, never running it', () => {
    const r = extractCandidate(languageOf('python'), 'def f(x): return 2 — just use a set.', 'f');
    expect(r).toEqual({ kind: 'no_code', reason: 'rejected: no code in the reply' });
  });

  it('rejects a reply cut off inside its code block', () => {
    const r = extractCandidate(languageOf('python'), 'Here:\n```python\ndef f(x):\n    return sorted(', 'f');
    expect(r.kind).toBe('no_code');
    expect(r.kind === 'no_code' && r.reason).toMatch(/cut off/);
  });

  it('rejects a block without the target function', () => {
    const r = extractCandidate(languageOf('python'), '```python\ndef g(x):\n    return 2\n```', 'f');
    expect(r.kind === 'no_code' && r.reason).toBe("rejected: the reply's code has no function named f");
  });

  it('takes a method out of a class block, and a bare method for Class.method', () => {
    const inClass =
      '```python\nimport math\n\nclass Shape:\n    def area(self):\n        return math.pi\n\n    def other(self):\n        pass\n```';
    const c = ok(extractCandidate(languageOf('python'), inClass, 'Shape.area'));
    expect(c.code).toBe('def area(self):\n    return math.pi');
    expect(c.additions).toEqual([{ kind: 'import', code: 'import math' }]);
    const bare = ok(
      extractCandidate(languageOf('python'), '```python\ndef area(self):\n    return 1\n```', 'Shape.area'),
    );
    expect(bare.code).toBe('def area(self):\n    return 1');
  });

  it('takes a JavaScript or TypeScript method written alone, as the prompt shows one, for Class.method', () => {
    const reply = [
      'Inlined the sift-up:',
      '```javascript',
      'add(item) {',
      '  const heap = this.heapContainer;',
      '  heap.push(item);',
      '  return this;',
      '}',
      '```',
    ].join('\n');
    const c = ok(extractCandidate(languageOf('javascript'), reply, 'Heap.add'));
    expect(c.code).toBe('add(item) {\n  const heap = this.heapContainer;\n  heap.push(item);\n  return this;\n}');
    expect(c.additions).toEqual([]);
    const typed = ok(
      extractCandidate(
        languageOf('typescript'),
        '```ts\n  async get(key: string): Promise<number> {\n    return this.map.get(key) ?? 0;\n  }\n```',
        'Cache.get',
      ),
    );
    expect(typed.code).toBe('async get(key: string): Promise<number> {\n  return this.map.get(key) ?? 0;\n}');
    // A plain function target is never read as a method.
    expect(extractCandidate(languageOf('javascript'), '```js\nadd(item) {\n  return 1;\n}\n```', 'add').kind).toBe(
      'no_code',
    );
  });

  it('collects imports, constants and helpers but leaves example calls out', () => {
    const reply = [
      '```python',
      'from functools import lru_cache',
      'import heapq',
      'LIMIT = 10',
      '',
      '@lru_cache(maxsize=None)',
      'def _helper(n):',
      '    return n * 2',
      '',
      'def f(xs):',
      '    return [_helper(x) for x in xs]',
      '',
      'print(f([1, 2]))',
      "if __name__ == '__main__':",
      '    f([])',
      '```',
    ].join('\n');
    const c = ok(extractCandidate(languageOf('python'), reply, 'f'));
    expect(c.code).toBe('def f(xs):\n    return [_helper(x) for x in xs]');
    expect(c.additions.map((a) => [a.kind, a.name ?? a.code])).toEqual([
      ['import', 'from functools import lru_cache'],
      ['import', 'import heapq'],
      ['assignment', 'LIMIT'],
      ['definition', '_helper'],
    ]);
    expect(c.additions[3]?.code).toBe('@lru_cache(maxsize=None)\ndef _helper(n):\n    return n * 2');
  });

  it('handles JavaScript blocks with imports and helper consts', () => {
    const reply =
      "```js\nimport { x } from './x.js';\nconst cache = new Map();\nconst sq = (n) => n * n;\nexport function f(a) {\n  return sq(a);\n}\nconsole.log(f(2));\n```";
    const c = ok(extractCandidate(languageOf('javascript'), reply, 'f'));
    expect(c.code).toBe('export function f(a) {\n  return sq(a);\n}');
    expect(c.additions.map((a) => [a.kind, a.name ?? a.code])).toEqual([
      ['import', "import { x } from './x.js';"],
      ['assignment', 'cache'],
      ['definition', 'sq'],
    ]);
  });

  it('does not mistake an inner fence of longer backticks', () => {
    expect(fencedBlocks('````md\n```js\nx\n```\n````').map((b) => b.body)).toEqual(['```js\nx\n```']);
  });
});

describe('buildCandidateModule', () => {
  const module =
    'import os\n\n\ndef helper(x):\n    return x\n\n\nclass Shape:\n    side = 2\n\n    def area(self):\n        return self.side * self.side\n\n\ndef untouched():\n    # keep me\n    return 1\n';

  it('replaces only the target method, re-indented, and keeps the rest byte for byte', () => {
    const r = buildCandidateModule(languageOf('python'), module, 'Shape.area', {
      code: 'def area(self):\n    return self.side ** 2',
      additions: [],
    });
    expect(r.kind).toBe('ok');
    expect(r.kind === 'ok' && r.moduleText).toBe(
      module.replace(
        'def area(self):\n        return self.side * self.side',
        'def area(self):\n        return self.side ** 2',
      ),
    );
  });

  it('adds missing imports and helpers above the enclosing class, but not ones already there', () => {
    const r = buildCandidateModule(languageOf('python'), module, 'Shape.area', {
      code: 'def area(self):\n    return square(self.side)',
      additions: [
        { kind: 'import', code: 'import os' },
        { kind: 'import', code: 'import math' },
        { kind: 'definition', name: 'helper', code: 'def helper(x):\n    return x + 0' },
        { kind: 'definition', name: 'square', code: 'def square(x):\n    return x * x' },
      ],
    });
    if (r.kind !== 'ok') throw new Error(r.reason);
    expect(r.added.map((a) => a.name ?? a.code)).toEqual(['import math', 'square']);
    expect(r.moduleText).toContain('import math\n\ndef square(x):\n    return x * x\n\nclass Shape:');
    expect(r.moduleText).toContain('def helper(x):\n    return x\n');
    expect(r.moduleText.match(/import os/g)).toHaveLength(1);
  });

  it('puts additions above the comment lines that introduce the function', () => {
    const text = 'import os\n\n# Fast path.\n# Really.\ndef f():\n    return 1\n';
    const r = buildCandidateModule(languageOf('python'), text, 'f', {
      code: 'def f():\n    return g()',
      additions: [{ kind: 'definition', name: 'g', code: 'def g():\n    return 1' }],
    });
    expect(r.kind === 'ok' && r.moduleText).toBe(
      'import os\n\ndef g():\n    return 1\n\n# Fast path.\n# Really.\ndef f():\n    return g()\n',
    );
  });

  it('says so when the module lost the target', () => {
    expect(
      buildCandidateModule(languageOf('python'), 'x = 1\n', 'f', { code: 'def f(): pass', additions: [] }).kind,
    ).toBe('error');
  });
});

describe('normalizeCode', () => {
  it('treats whitespace and comment changes as the same candidate', () => {
    const a = 'def f(x):\n    # fast path\n    return x+1  # done\n';
    const b = 'def f(x):\n\n    return x+1\n';
    expect(normalizeCode(languageOf('python'), a)).toBe(normalizeCode(languageOf('python'), b));
    expect(normalizeCode(languageOf('javascript'), 'function f(){ /* c */ return 1 // x\n}')).toBe(
      normalizeCode(languageOf('javascript'), 'function f() {\n  return 1\n}'),
    );
  });
  it('keeps differences in Python indentation and in strings', () => {
    expect(normalizeCode(languageOf('python'), 'if a:\n    x()\n    y()')).not.toBe(
      normalizeCode(languageOf('python'), 'if a:\n    x()\ny()'),
    );
    expect(normalizeCode(languageOf('python'), 's = "a  # b"')).not.toBe(
      normalizeCode(languageOf('python'), 's = "a"'),
    );
  });
});
