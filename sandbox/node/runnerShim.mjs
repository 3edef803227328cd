// Stands in for `vitest` / `@jest/globals` (and their globals) when the harness runs jest or
// vitest test files in-process to RECORD calls. The verdict comes from the real runner (run
// separately); here assertions only need to let the tests reach their calls, so `expect` accepts
// everything, except that it calls functions handed to toThrow-style matchers (they call the target).
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

const mocker = new Proxy(
  { fn: mockFn, spyOn: (obj, key) => obj[key] },
  {
    get: (t, prop) => (prop in t ? t[prop] : () => mocker),
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
