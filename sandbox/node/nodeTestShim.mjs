// An in-process stand-in for `node:test` (served to test files by the loader hook and by the
// patched require). The real module runs files in child processes (`run()`) or reports at process
// exit, neither of which lets the harness keep the wrapped target and go on to measure. This one
// runs tests as they are declared, in order, and keeps per-test results for the report.
// Covered: test/it, describe/suite (nested), skip/todo/only, before/after/beforeEach/afterEach,
// subtests (t.test), done callbacks, t.skip/t.todo/t.diagnostic/t.plan/t.mock/t.assert, mock.
import assert from 'node:assert';
import { testEnded, testStarted } from './currentTest.mjs';

const realMock = globalThis.__afterburner?.realNodeTest?.mock;

const results = [];
let queue = Promise.resolve();
/** The suite collecting declarations right now (inside a describe body), if any. */
let collecting;
const root = makeSuite('', undefined, {});

function makeSuite(name, parent, options) {
  return { kind: 'suite', name, parent, options, children: [], before: [], after: [], beforeEach: [], afterEach: [] };
}

function fullName(node) {
  const parts = [];
  for (let n = node; n && n.name; n = n.parent) parts.unshift(n.name);
  return parts.join(' > ');
}

function parseArgs(args) {
  let name;
  let options = {};
  let fn;
  for (const a of args) {
    if (typeof a === 'string') name = a;
    else if (typeof a === 'function') fn = a;
    else if (a && typeof a === 'object') options = a;
  }
  return { name: name ?? fn?.name ?? '<anonymous>', options, fn };
}

function skipped(options) {
  return Boolean(options.skip) || Boolean(options.todo);
}

async function callWithDone(fn, thisArg, ctx) {
  if (fn.length >= 2) {
    await new Promise((resolve, reject) => {
      try {
        const r = fn.call(thisArg, ctx, (err) => (err ? reject(err) : resolve()));
        if (r && typeof r.then === 'function') r.then(undefined, reject);
      } catch (e) {
        reject(e);
      }
    });
    return;
  }
  await fn.call(thisArg, ctx);
}

function hooksChain(node, kind) {
  const chain = [];
  for (let s = node.parent; s; s = s.parent) chain.unshift(s);
  const hooks = chain.flatMap((s) => s[kind]);
  return kind === 'afterEach' ? hooks.reverse() : hooks;
}

class TestContext {
  constructor(node) {
    this.node = node;
    this.name = node.name;
    this.fullName = fullName(node);
    this.controller = new AbortController();
    this.subtests = Promise.resolve();
    this.subHooks = makeSuite(node.name, node.parent, {});
    this.skipReason = undefined;
    this.assert = assert;
  }
  get signal() {
    return this.controller.signal;
  }
  get mock() {
    if (!this.ownMock && realMock) this.ownMock = new realMock.constructor();
    return this.ownMock;
  }
  test(...args) {
    const { name, options, fn } = parseArgs(args);
    const child = { kind: 'test', name, options, fn, parent: this.subHooks };
    const p = this.subtests.then(() => runTest(child));
    this.subtests = p;
    return p;
  }
  skip(message) {
    this.skipReason = message ?? 'skipped';
  }
  todo(message) {
    this.skipReason = message ?? 'todo';
  }
  diagnostic() {}
  plan() {}
  runOnly() {}
  before(fn) {
    this.subHooks.before.push(fn);
  }
  after(fn) {
    this.subHooks.after.push(fn);
  }
  beforeEach(fn) {
    this.subHooks.beforeEach.push(fn);
  }
  afterEach(fn) {
    this.subHooks.afterEach.push(fn);
  }
}

async function runTest(node) {
  const name = fullName(node);
  if (skipped(node.options) || !node.fn) {
    results.push({ name, status: 'skipped' });
    return;
  }
  const ctx = new TestContext(node);
  let error;
  const outer = testStarted(node);
  try {
    for (const h of hooksChain(node, 'beforeEach')) await callWithDone(h, undefined, ctx);
    await callWithDone(node.fn, ctx, ctx);
    await ctx.subtests;
  } catch (e) {
    error = e;
  }
  testEnded(node, outer);
  try {
    for (const h of hooksChain(node, 'afterEach')) await callWithDone(h, undefined, ctx);
  } catch (e) {
    error ??= e;
  }
  try {
    for (const h of ctx.subHooks.after) await callWithDone(h, undefined, ctx);
  } catch (e) {
    error ??= e;
  }
  ctx.ownMock?.restoreAll?.();
  if (ctx.skipReason !== undefined && error === undefined) results.push({ name, status: 'skipped' });
  else if (error === undefined) results.push({ name, status: 'passed' });
  else results.push({ name, status: 'failed', error });
}

async function runSuite(suite) {
  if (skipped(suite.options)) {
    results.push({ name: fullName(suite), status: 'skipped' });
    return;
  }
  let hookError;
  try {
    for (const h of suite.before) await callWithDone(h, undefined, {});
  } catch (e) {
    hookError = e;
  }
  if (hookError) {
    results.push({ name: `${fullName(suite)} (before hook)`, status: 'failed', error: hookError });
  } else {
    for (const child of suite.children) {
      if (child.kind === 'suite') await runSuite(child);
      else await runTest(child);
    }
  }
  try {
    for (const h of suite.after) await callWithDone(h, undefined, {});
  } catch (e) {
    results.push({ name: `${fullName(suite)} (after hook)`, status: 'failed', error: e });
  }
}

/** Declares a test: inside a describe body it is collected, else it is queued to run now. */
function declareTest(...args) {
  const { name, options, fn } = parseArgs(args);
  const node = { kind: 'test', name, options, fn, parent: collecting ?? root };
  if (collecting) {
    collecting.children.push(node);
    return Promise.resolve();
  }
  queue = queue.then(() => runTest(node));
  return queue;
}

function declareSuite(...args) {
  const { name, options, fn } = parseArgs(args);
  const parent = collecting ?? root;
  const suite = makeSuite(name, parent, options);
  const outer = collecting;
  collecting = suite;
  let declared;
  try {
    declared = fn ? fn.call(undefined, { name, signal: new AbortController().signal }) : undefined;
  } catch (e) {
    collecting = outer;
    results.push({ name: fullName(suite), status: 'failed', error: e });
    return Promise.resolve();
  }
  collecting = outer;
  const run = async () => {
    if (declared && typeof declared.then === 'function') {
      // An async describe body: collect what it declares before running the suite.
      const prev = collecting;
      collecting = suite;
      try {
        await declared;
      } finally {
        collecting = prev;
      }
    }
    await runSuite(suite);
  };
  if (parent !== root) {
    parent.children.push(suite);
    return Promise.resolve();
  }
  queue = queue.then(run);
  return queue;
}

function addHook(kind) {
  return (fn) => {
    const suite = collecting ?? root;
    if (suite === root && kind === 'before') {
      queue = queue
        .then(() => callWithDone(fn, undefined, {}))
        .catch((e) => {
          results.push({ name: '(before hook)', status: 'failed', error: e });
        });
      return;
    }
    if (suite === root && kind === 'after') {
      rootAfter.push(fn);
      return;
    }
    suite[kind].push(fn);
  };
}

const rootAfter = [];
export const before = addHook('before');
export const after = addHook('after');
export const beforeEach = addHook('beforeEach');
export const afterEach = addHook('afterEach');
export const mock = realMock;
export function run() {
  throw new Error('node:test run() is not available inside the Afterburner harness');
}
export const snapshot = { setDefaultSnapshotSerializers() {}, setResolveSnapshotPath() {} };

function variants(fn) {
  const v = (...args) => fn(...args);
  v.skip = (...args) => fn(...args, { skip: true });
  v.todo = (...args) => fn(...args, { todo: true });
  v.only = (...args) => fn(...args);
  return v;
}

export const test = variants(declareTest);
export const it = variants(declareTest);
export const describe = variants(declareSuite);
export const suite = describe;
export const skip = test.skip;
export const todo = test.todo;
export const only = test.only;
// node:test's default export is `test` with everything hanging off it.
Object.assign(test, { test, it, describe, suite, before, after, beforeEach, afterEach, mock, run, snapshot });
export default test;

/** For the harness: waits for every queued test and root `after` hook; returns the results. */
export async function drainResults() {
  await queue;
  for (const fn of rootAfter.splice(0)) {
    try {
      await callWithDone(fn, undefined, {});
    } catch (e) {
      results.push({ name: '(after hook)', status: 'failed', error: e });
    }
  }
  return results.splice(0);
}
