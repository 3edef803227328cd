// The harness's source instrumentation (sandbox/node/instrument.cjs): the binding it wraps, where
// the wrapping goes, and that every line stays where it was (stack traces and maps rely on it).
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

/** What instrument.cjs offers (plain JavaScript, no declarations). */
interface InstrumentModule {
  instrumentSource(source: string, name: string, key?: string): string | undefined;
  statementEnd(source: string, start: number): number;
}

const instrument = createRequire(__filename)(
  path.resolve(__dirname, '../../sandbox/node/instrument.cjs'),
) as InstrumentModule;

/** Runs CommonJS-style `source` with a wrap that counts calls; returns the count after `call`. */
function callsThroughWrap(source: string, name: string, call: string): number {
  const out = instrument.instrumentSource(source, name);
  if (out === undefined) throw new Error(`${name} not instrumented`);
  let calls = 0;
  // As the harness's: one wrapper per function, a wrapper handed back again unchanged.
  const wrappers = new WeakSet<object>();
  const context = vm.createContext({
    __afterburnerWrap: (fn: (...args: unknown[]) => unknown) => {
      if (wrappers.has(fn)) return fn;
      const wrapped = function wrapped(this: unknown, ...args: unknown[]) {
        calls++;
        return fn.apply(this, args);
      };
      wrappers.add(wrapped);
      return wrapped;
    },
    module: { exports: {} },
  });
  vm.runInContext(`${out}\n${call}`, context);
  return calls;
}

describe('instrumentSource', () => {
  it('wraps a function declaration at its own line, so calls from inside the module go through it', () => {
    const source = 'function helper(x) { return x + 1; }\nfunction main(xs) { return xs.map((x) => helper(x)); }\n';
    expect(callsThroughWrap(source, 'helper', 'main([1, 2, 3]);')).toBe(3);
  });

  it('wraps a declaration handed out above its line (`module.exports = f` first), once', () => {
    const source = "'use strict';\n\nmodule.exports = preferred;\nfunction preferred(x) { return x; }\n";
    expect(callsThroughWrap(source, 'preferred', 'module.exports(1); preferred(2);')).toBe(2);
  });

  it('keeps a shebang first and the directive prologue a prologue, every line where it was', () => {
    const source = '#!/usr/bin/env node\n"use strict"\nexports.f = f\nfunction f() { return this; }\n';
    const out = instrument.instrumentSource(source, 'f') ?? '';
    expect(out.split('\n')).toHaveLength(source.split('\n').length);
    expect(out.split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(out.split('\n')[1]).toMatch(/^"use strict";if \(typeof f === 'function'\) f = /);
    // Strict mode still holds: a plain call's `this` is undefined.
    const body = out.split('\n').slice(1).join('\n');
    expect(vm.runInNewContext(`${body}\nf() === undefined`, { exports: {} })).toBe(true);
  });

  it('turns `const` into `let` of the same width and wraps after the whole statement', () => {
    const source = [
      'const merge = createMerge((a, b) => {',
      '  return { ...b, ...a };',
      '})',
      '  .bind(null)',
      'function createMerge(f) { return f; }',
      '',
    ].join('\n');
    const out = instrument.instrumentSource(source, 'merge') ?? '';
    expect(out.split('\n')).toHaveLength(source.split('\n').length);
    expect(out.split('\n')[0]).toBe('let   merge = createMerge((a, b) => {');
    expect(out.split('\n')[3]).toMatch(/^ {2}\.bind\(null\);merge = /);
    expect(callsThroughWrap(source, 'merge', 'merge({ a: 1 }, { b: 2 });')).toBe(1);
  });

  it('finds the end of a statement past strings, templates, regular expressions and comments holding brackets', () => {
    const source = "const f = (s) => /[})]/.test(s) ? `${'}'}` : '{' // }\nconst g = 1;\n";
    expect(instrument.statementEnd(source, 0)).toBe(source.indexOf('\nconst g'));
  });

  it('keeps every line of an exported default function, an async function and a class where they were', () => {
    for (const [source, name] of [
      ['export default function levenshtein(a, b) {\n  return a.length - b.length;\n}\n', 'levenshtein'],
      ['export async function load(n) {\n  return n;\n}\n', 'load'],
      ['export default class Sorter {\n  sort(xs) {\n    return xs;\n  }\n}\n', 'Sorter.sort'],
    ] as const) {
      const out = instrument.instrumentSource(source, name);
      expect(out, name).toBeDefined();
      expect(out?.split('\n').length, name).toBe(source.split('\n').length);
    }
  });

  it('leaves a module without a top-level declaration of the name alone', () => {
    expect(instrument.instrumentSource('exports.f = function f() {};\n', 'f')).toBeUndefined();
    expect(instrument.instrumentSource('function outer() {\n  function f() {}\n}\n', 'f')).toBeUndefined();
  });
});
