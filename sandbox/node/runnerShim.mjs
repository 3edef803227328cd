// Stands in for `vitest` / `@jest/globals` (and their globals) when the harness runs jest or
// vitest test files in-process to RECORD calls. The verdict comes from the real runner (run
// separately); here assertions only need to let the tests reach their calls, so `expect` accepts
// everything, except that it calls functions handed to toThrow-style matchers (they call the target).
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as nodeTest from './nodeTestShim.mjs';

function chain(actual) {
  const handler = {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      if ((typeof prop === 'string' && prop.startsWith('toThrow')) || prop === 'toThrowError') {
        return () => {
          if (typeof actual === 'function') {
            try {
              const r = actual();
              if (r && typeof r.then === 'function')
                return r.then(
                  () => undefined,
                  () => undefined,
                );
            } catch {
              // expected: the real runner checks what was thrown.
            }
          }
          return undefined;
        };
      }
      if (prop === 'resolves' || prop === 'rejects') {
        return new Proxy(() => {}, {
          get: () => () =>
            Promise.resolve(actual).then(
              () => undefined,
              () => undefined,
            ),
        });
      }
      return proxy;
    },
    apply() {
      return undefined;
    },
  };
  const proxy = new Proxy(() => {}, handler);
  return proxy;
}

export function expect(actual) {
  return chain(actual);
}
const anything = new Proxy(() => ({}), { get: () => () => ({}) });
Object.assign(expect, {
  any: () => ({}),
  anything: () => ({}),
  objectContaining: () => ({}),
  arrayContaining: () => ({}),
  stringContaining: () => ({}),
  stringMatching: () => ({}),
  closeTo: () => ({}),
  assertions() {},
  hasAssertions() {},
  extend() {},
  not: anything,
  soft: expect,
});

function mockFn(impl) {
  const calls = [];
  const f = function mock(...args) {
    calls.push(args);
    return impl ? impl.apply(this, args) : undefined;
  };
  f.mock = { calls, results: [] };
  for (const m of [
    'mockReturnValue',
    'mockImplementation',
    'mockResolvedValue',
    'mockReturnValueOnce',
    'mockClear',
    'mockReset',
  ]) {
    f[m] = (v) => {
      if (m === 'mockImplementation') impl = v;
      else if (m.startsWith('mockReturnValue')) impl = () => v;
      else if (m === 'mockResolvedValue') impl = () => Promise.resolve(v);
      return f;
    };
  }
  return f;
}

/**
 * A module a test asks for as it really is (`vi.importActual('./sum.mjs')`), found from the file
 * that asks (the first frame of the stack outside this file), as the runner would: a relative path
 * from its folder, a bare name through its node_modules.
 */
function importActual(specifier) {
  const from = callerFile();
  if (path.isAbsolute(specifier)) return import(pathToFileURL(specifier).href);
  if (specifier.startsWith('.')) return import(pathToFileURL(path.resolve(path.dirname(from), specifier)).href);
  return import(pathToFileURL(createRequire(from).resolve(specifier)).href).catch(() => import(specifier));
}

function requireActual(specifier) {
  return createRequire(callerFile())(specifier);
}

const HERE = fileURLToPath(import.meta.url);

/** The file of the code that called into this module (the work dir's package.json when unknown). */
function callerFile() {
  for (const line of String(new Error().stack).split('\n').slice(1)) {
    const m = line.match(/\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?\s*$/);
    if (!m) continue;
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    if (file !== HERE) return file;
  }
  return path.join(process.cwd(), 'package.json');
}

const mocker = new Proxy(
  {
    fn: mockFn,
    spyOn: (obj, key) => obj[key],
    // vitest runs the factory before the imports; here, where it stands: its value either way.
    hoisted: (factory) => factory(),
    importActual,
    importMock: importActual,
    requireActual,
  },
  {
    // Never a thenable: `await vi.something()` must not wait for ever on the stand-in.
    get: (t, prop) => (prop in t ? t[prop] : prop === 'then' ? undefined : () => mocker),
  },
);
export const vi = mocker;
export const jest = mocker;

export const describe = nodeTest.describe;
export const suite = nodeTest.describe;
export const it = nodeTest.it;
export const test = nodeTest.test;
export const beforeAll = nodeTest.before;
export const afterAll = nodeTest.after;
export const beforeEach = nodeTest.beforeEach;
export const afterEach = nodeTest.afterEach;
export const assert = () => undefined;
export const expectTypeOf = () => chain(undefined);
export const assertType = () => undefined;
for (const fn of [describe, it, test]) {
  fn.each = (table) => (name, body) => {
    for (const row of table) fn(String(name), () => (Array.isArray(row) ? body(...row) : body(row)));
  };
  fn.concurrent = fn;
}

/** Globals the jest/vitest style expects (describe/it/test/expect… without imports). */
export function installGlobals() {
  Object.assign(globalThis, { describe, it, test, beforeAll, afterAll, beforeEach, afterEach, expect, vi, jest });
}
