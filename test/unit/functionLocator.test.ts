import { describe, expect, it } from 'vitest';
import { languageOf } from '../../src/languages/registry';
import {
  enclosingFunction,
  functionAtOffset,
  listFunctions,
  locateClass,
  locateFunction,
} from '../../src/core/functionLocator';

const slice = (text: string, loc: { start: number; end: number } | undefined): string =>
  loc ? text.slice(loc.start, loc.end) : '<none>';

describe('locateFunction in Python', () => {
  const source = [
    'import os',
    '',
    'def helper(x):',
    '    return x + 1',
    '',
    '@cache',
    '@other(1,',
    '       2)',
    'def slow(n, items=("def fake():", "x")):',
    '    """Docstring with def inside:',
    'def not_a_function():',
    '    """',
    '    total = 0  # def also_not',
    '    for i in range(n):',
    '        total += helper(i) \\',
    '            + 1',
    '    # trailing comment at body indent',
    '    return total',
    '',
    '',
    'class Shape(Base):',
    '    side = 2',
    '',
    '    @staticmethod',
    '    async def area(self) -> int:',
    "        s = '''",
    '    def fake_in_string(): pass',
    "'''",
    '        return self.side ** 2',
    '',
    '    def __repr__(self): return "Shape"',
    '',
    'async def main():',
    '    def inner():',
    '        pass',
    '    return inner',
    '',
  ].join('\n');

  it('takes decorators, multi-line decorator arguments and triple-quoted strings with it', () => {
    const loc = locateFunction(languageOf('python'), source, 'slow');
    expect(loc).toBeDefined();
    const text = slice(source, loc);
    expect(text.startsWith('@cache\n@other(1,\n       2)\ndef slow(')).toBe(true);
    expect(text.endsWith('    return total')).toBe(true);
    expect(loc?.startLine).toBe(5);
    expect(loc?.endLine).toBe(17);
    expect(loc?.indent).toBe('');
    expect(loc?.kind).toBe('function');
  });

  it('does not see definitions inside strings or comments', () => {
    const names = listFunctions(languageOf('python'), source).map((f) => f.qualifiedName);
    expect(names).toEqual(['helper', 'slow', 'Shape.area', 'Shape.__repr__', 'main', 'main.inner']);
  });

  it('finds async methods of a class by Class.method, with their indent', () => {
    const loc = locateFunction(languageOf('python'), source, 'Shape.area');
    expect(slice(source, loc)).toBe(
      "@staticmethod\n    async def area(self) -> int:\n        s = '''\n    def fake_in_string(): pass\n'''\n        return self.side ** 2",
    );
    expect(loc?.indent).toBe('    ');
    expect(loc?.kind).toBe('method');
    expect(loc?.className).toBe('Shape');
  });

  it('handles one-line methods', () => {
    expect(slice(source, locateFunction(languageOf('python'), source, 'Shape.__repr__'))).toBe(
      'def __repr__(self): return "Shape"',
    );
  });

  it('does not confuse a method with a top-level function of the same name', () => {
    expect(locateFunction(languageOf('python'), source, 'area')).toBeUndefined();
    expect(locateFunction(languageOf('python'), source, 'Shape.missing')).toBeUndefined();
  });

  it('returns the innermost function at an offset', () => {
    const offset = source.indexOf('pass\n    return inner');
    expect(functionAtOffset(languageOf('python'), source, offset)?.qualifiedName).toBe('main.inner');
    expect(functionAtOffset(languageOf('python'), source, source.indexOf('return inner'))?.qualifiedName).toBe('main');
    expect(functionAtOffset(languageOf('python'), source, source.indexOf('import os'))).toBeUndefined();
  });

  it('locates the class header for context', () => {
    const cls = locateClass(languageOf('python'), source, 'Shape');
    expect(cls && source.slice(cls.start, cls.headerEnd)).toBe('class Shape(Base):');
  });

  it('handles tabs, CRLF line endings and a function at end of file without newline', () => {
    const text = 'def a():\r\n\tif x:\r\n\t\treturn 1\r\n\treturn 2\r\ndef b(): pass';
    expect(slice(text, locateFunction(languageOf('python'), text, 'a'))).toBe(
      'def a():\r\n\tif x:\r\n\t\treturn 1\r\n\treturn 2',
    );
    expect(slice(text, locateFunction(languageOf('python'), text, 'b'))).toBe('def b(): pass');
  });

  it('keeps a body that has a bracketed expression dedented below the def', () => {
    const text = 'def f():\n    x = [\n1, 2,\n]\n    return x\nprint(f())\n';
    expect(slice(text, locateFunction(languageOf('python'), text, 'f'))).toBe(
      'def f():\n    x = [\n1, 2,\n]\n    return x',
    );
  });

  it('handles escaped quotes and string prefixes', () => {
    const text = 'def f():\n    s = r"\\"def g(): "\n    t = b\'\\\'\'\n    return s\ndef h(): pass\n';
    expect(listFunctions(languageOf('python'), text).map((f) => f.name)).toEqual(['f', 'h']);
    expect(slice(text, locateFunction(languageOf('python'), text, 'f')).endsWith('return s')).toBe(true);
  });
});

describe('locateFunction in JavaScript and TypeScript', () => {
  const js = [
    "import { x } from './x.js';",
    'const re = /function fake() {/g;',
    'const s = `template ${ `nested ${ "}" }` } function fakeToo() {`;',
    '// function commentFake() {}',
    '/* function blockFake() { */',
    'export async function* gen(a, b = "}") {',
    '  const r = a / 2 / b; // division, not a regex',
    '  if (/[}]/.test(a)) { yield `}${a}`; }',
    '}',
    'export const arrow = async (n) => {',
    '  return n * 2;',
    '};',
    'const short = x => x + 1;',
    'let expr = function named(a) { return a; }',
    'export default function main() {',
    '  function nested() { return 1; }',
    '  return nested();',
    '}',
  ].join('\n');

  it('ignores functions inside regexes, templates, strings and comments', () => {
    expect(listFunctions(languageOf('javascript'), js).map((f) => f.qualifiedName)).toEqual([
      'gen',
      'arrow',
      'short',
      'expr',
      'main',
      'main.nested',
    ]);
  });

  it('finds exported async generators with braces inside strings, regexes and templates', () => {
    const loc = locateFunction(languageOf('javascript'), js, 'gen');
    expect(slice(js, loc)).toBe(
      'export async function* gen(a, b = "}") {\n  const r = a / 2 / b; // division, not a regex\n  if (/[}]/.test(a)) { yield `}${a}`; }\n}',
    );
    expect(loc?.startLine).toBe(5);
    expect(loc?.endLine).toBe(8);
  });

  it('finds arrow functions and function expressions bound to const/let, with their semicolon', () => {
    expect(slice(js, locateFunction(languageOf('javascript'), js, 'arrow'))).toBe(
      'export const arrow = async (n) => {\n  return n * 2;\n};',
    );
    expect(slice(js, locateFunction(languageOf('javascript'), js, 'short'))).toBe('const short = x => x + 1;');
    expect(slice(js, locateFunction(languageOf('javascript'), js, 'expr'))).toBe(
      'let expr = function named(a) { return a; }',
    );
  });

  it('finds an arrow with an expression body that spans lines', () => {
    const text = 'const f = (a) =>\n  a\n    .map((x) => x * 2)\n    .filter(Boolean)\nconst g = 1;\n';
    expect(slice(text, locateFunction(languageOf('javascript'), text, 'f'))).toBe(
      'const f = (a) =>\n  a\n    .map((x) => x * 2)\n    .filter(Boolean)',
    );
  });

  const ts = [
    'export class Cache<K extends string, V = { a: number }> extends Base<K> implements Thing {',
    '  private readonly store = new Map<K, V>();',
    '  static #count: number = 0;',
    '  @memo()',
    '  public async get<T extends keyof V>(key: K): Promise<{ value: V } | undefined> {',
    '    return { value: this.store.get(key)! };',
    '  }',
    '  get size(): number { return this.store.size; }',
    '  set size(v: number) { /* } */ }',
    '  static #bump(): void { Cache.#count++; }',
    '  *[Symbol.iterator]() { yield* this.store; }',
    '  handler = (e: Event): void => { console.log(e); };',
    '  abstract overloaded(a: string): void;',
    '  get(): void;',
    '  constructor(private x: number) { super(); }',
    '}',
    'function typed<T>(xs: T[], f: (x: T) => { ok: boolean }): { ok: boolean }[] {',
    '  return xs.map(f);',
    '}',
    'const generic = <T,>(x: T): T => x;',
  ].join('\n');

  it('finds class members: generics, decorators, accessors, private #, arrow fields, constructor', () => {
    const names = listFunctions(languageOf('typescript'), ts).map((f) => f.qualifiedName);
    expect(names).toEqual([
      'Cache.get',
      'Cache.size',
      'Cache.size',
      'Cache.#bump',
      'Cache.handler',
      'Cache.constructor',
      'typed',
      'generic',
    ]);
  });

  it('takes the decorator and modifiers with a method and sets its indent', () => {
    const loc = locateFunction(languageOf('typescript'), ts, 'Cache.get');
    expect(slice(ts, loc)).toBe(
      '@memo()\n  public async get<T extends keyof V>(key: K): Promise<{ value: V } | undefined> {\n    return { value: this.store.get(key)! };\n  }',
    );
    expect(loc?.indent).toBe('  ');
    expect(loc?.className).toBe('Cache');
  });

  it('skips object-literal return types to find the body', () => {
    expect(slice(ts, locateFunction(languageOf('typescript'), ts, 'typed'))).toBe(
      'function typed<T>(xs: T[], f: (x: T) => { ok: boolean }): { ok: boolean }[] {\n  return xs.map(f);\n}',
    );
    expect(slice(ts, locateFunction(languageOf('typescript'), ts, 'generic'))).toBe(
      'const generic = <T,>(x: T): T => x;',
    );
  });

  it('finds private static methods', () => {
    expect(slice(ts, locateFunction(languageOf('typescript'), ts, 'Cache.#bump'))).toBe(
      'static #bump(): void { Cache.#count++; }',
    );
  });

  it('returns the innermost function at an offset', () => {
    expect(functionAtOffset(languageOf('javascript'), js, js.indexOf('return 1'))?.qualifiedName).toBe('main.nested');
    expect(functionAtOffset(languageOf('javascript'), js, js.indexOf('return nested'))?.qualifiedName).toBe('main');
    expect(functionAtOffset(languageOf('javascript'), js, 0)).toBeUndefined();
  });

  it("finds a method set on a constructor's prototype, and not a named function passed as an argument", () => {
    const text = [
      'function Stats(text) { this.text = text; }',
      'Stats.prototype.top = function top(n) {',
      '  return Object.keys(this.counts).sort(function byCount(a, b) { return a < b ? -1 : 1; }).slice(0, n);',
      '};',
      'Stats.prototype.size = function () { return this.text.length; }',
      '',
    ].join('\n');
    const found = listFunctions(languageOf('javascript'), text);
    expect(found.map((f) => `${f.qualifiedName}:${f.kind}`)).toEqual([
      'Stats:function',
      'Stats.top:method',
      'Stats.size:method',
    ]);
    expect(slice(text, locateFunction(languageOf('javascript'), text, 'Stats.top'))).toMatch(
      /^Stats\.prototype\.top = [\s\S]*\};$/,
    );
    // The callback belongs to the method around it.
    expect(functionAtOffset(languageOf('javascript'), text, text.indexOf('return a < b'))?.qualifiedName).toBe(
      'Stats.top',
    );
  });

  it('names the function a nested helper is defined in, and none for a method or a top-level function', () => {
    const text =
      'class A {\n  m() {\n    function helper() { return () => 1; }\n    return helper;\n  }\n}\nfunction top() {}\n';
    const js = languageOf('javascript');
    const at = (name: string) => locateFunction(js, text, name) as NonNullable<ReturnType<typeof locateFunction>>;
    expect(enclosingFunction(js, text, at('A.m.helper'))?.qualifiedName).toBe('A.m');
    expect(enclosingFunction(js, text, at('A.m'))).toBeUndefined();
    expect(enclosingFunction(js, text, at('top'))).toBeUndefined();
  });

  it('does not take property accesses named function or class for definitions', () => {
    const text = 'obj.class = 1;\nconst f = () => obj.function(1);\n';
    expect(listFunctions(languageOf('javascript'), text).map((f) => f.name)).toEqual(['f']);
  });

  it('does not mistake division after a closing paren for a regex', () => {
    const text = 'function a(x) { return (x) / 2 / (x); }\nfunction b() { return "/"; }\n';
    expect(listFunctions(languageOf('javascript'), text).map((f) => f.name)).toEqual(['a', 'b']);
    expect(slice(text, locateFunction(languageOf('javascript'), text, 'a'))).toBe(
      'function a(x) { return (x) / 2 / (x); }',
    );
  });

  it('finds methods of a class expression bound to a const', () => {
    const text = 'const K = class extends Array {\n  sum() { return 0; }\n};\n';
    expect(listFunctions(languageOf('javascript'), text).map((f) => f.qualifiedName)).toEqual(['K.sum']);
  });

  it('finds functions a factory makes at the top level, not other values made by calls', () => {
    const text = [
      "import { debounce } from './timing';",
      'function createMerge(merger) {',
      '  return (a, b) => ({ ...b, ...a });',
      '}',
      'export const merge = createMerge() as Merge;',
      'export const mergeFn = createMerge((o, k) => o[k]);',
      'export const save = debounce(write, 100)',
      'export const config = loadConfig();',
      'export const total = sum(1, 2) + 3;',
      'function outer() {',
      '  const inner = createMerge();',
      '}',
    ].join('\n');
    const found = listFunctions(languageOf('typescript'), text).map((f) => f.qualifiedName);
    expect(found).toEqual(['createMerge', 'merge', 'mergeFn', 'save', 'outer']);
    expect(slice(text, locateFunction(languageOf('typescript'), text, 'merge'))).toBe(
      'export const merge = createMerge() as Merge;',
    );
  });
});

describe('more tricky inputs', () => {
  it('qualifies methods of nested Python classes and ignores f-string braces', () => {
    const text =
      'class A:\n    class B:\n        def m(self):\n            return f"{{def x():}} {self!r:>{10}}"\n    def n(self):\n        pass\n';
    expect(listFunctions(languageOf('python'), text).map((f) => [f.qualifiedName, f.className])).toEqual([
      ['A.B.m', 'B'],
      ['A.n', 'A'],
    ]);
  });

  it('handles JS destructured defaults, regexes with slashes and nested templates', () => {
    const text = [
      'export default async function run({ a = {}, b = [1, 2] } = {}) {',
      '  const r = /\\/\\/ not a comment {/;',
      '  const t = `${`${"`"}}`}`;',
      '  return a;',
      '}',
      'const tail = ({ x } = { x: 1 }) => ({ y: x });',
    ].join('\n');
    const loc = locateFunction(languageOf('javascript'), text, 'run');
    expect(loc && text.slice(loc.start, loc.end).endsWith('  return a;\n}')).toBe(true);
    expect(slice(text, locateFunction(languageOf('javascript'), text, 'tail'))).toBe(
      'const tail = ({ x } = { x: 1 }) => ({ y: x });',
    );
  });

  it('skips TypeScript overload signatures and finds the implementation', () => {
    const text =
      'export function f(a: string): string;\nexport function f(a: number): number;\nexport function f(a: any): any {\n  return a;\n}\n';
    const all = listFunctions(languageOf('typescript'), text);
    expect(all).toHaveLength(1);
    expect(all[0]?.startLine).toBe(2);
  });

  it('finds the innermost method at an offset inside a class', () => {
    const text = 'class A {\n  m() {\n    const inner = () => 1;\n    return inner();\n  }\n}\n';
    expect(functionAtOffset(languageOf('javascript'), text, text.indexOf('=> 1'))?.qualifiedName).toBe('A.m.inner');
    expect(functionAtOffset(languageOf('javascript'), text, text.indexOf('return inner'))?.qualifiedName).toBe('A.m');
  });

  it('survives unterminated strings and unbalanced braces without throwing', () => {
    expect(() => listFunctions(languageOf('javascript'), 'function f() { const s = "abc\n')).not.toThrow();
    expect(() => listFunctions(languageOf('python'), 'def f():\n    s = """never closed\n')).not.toThrow();
    expect(listFunctions(languageOf('python'), 'def f():\n    s = """never closed\n').map((f) => f.name)).toEqual([
      'f',
    ]);
  });
});
