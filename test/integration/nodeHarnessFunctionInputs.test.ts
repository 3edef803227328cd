// Functions among a call's inputs (a sort key, an options object's callback): recorded as what
// rebuilds them — a built-in by its path, a bound function by its parts, any other function by its
// source and the variables it reads around it — and kept only when the call, so rebuilt, replays
// as the test made it.
import { afterAll, describe, expect, it } from 'vitest';
import type { Recording } from '../../src/core/sandboxTypes';
import { failed, fixture, measurementOf, passed, removeWorkDirs, runNodeHarness } from './nodeHarnessRun';

afterAll(removeWorkDirs);

const tests = {
  'sortBy.test.mjs': fixture('sortBy.test.mjs'),
  'visibleWidth.mjs': fixture('visibleWidth.mjs'),
};

function run(module: string, mode?: { kind: 'check'; recording: Recording }) {
  return runNodeHarness({
    files: { 'sortBy.mjs': fixture(module), ...tests },
    modulePath: 'sortBy.mjs',
    testPaths: ['sortBy.test.mjs'],
    target: 'sortBy',
    ...(mode ? { mode } : {}),
  });
}

let recording: Promise<Recording> | undefined;
function profiled(): Promise<Recording> {
  recording ??= run('sortBy.mjs').then(({ report }) => passed(report).recording as Recording);
  return recording;
}

describe('node harness: functions among the inputs', () => {
  it('records calls whose key is an arrow, a built-in, a shorthand method, a closure over the test file, an imported helper or a bound method, and instances of a class the test file declares', async () => {
    const { report } = await run('sortBy.mjs');
    const ok = passed(report);
    expect(ok.callsMade).toBe(11);
    // All but the key that reads a WeakMap keyed by the items themselves.
    expect(ok.recording?.calls).toBe(10);
    expect(measurementOf(report).calls).toBe(10);
    const data = JSON.stringify(JSON.parse(Buffer.from(ok.recording?.data ?? '', 'base64').toString('utf8')));
    expect(data).toContain('"$t":"fg","p":"Number"');
    // The variables the keys read: the test file's `weight`, the factory's `field`, the helper and its pattern.
    expect(data).toMatch(/\["weight",\{"\$t":"o"/);
    expect(data).toContain('["field","n"]');
    expect(data).toMatch(
      /\["visibleWidth",\{"\$t":"fs","n":"visibleWidth","s":"function visibleWidth[^]*\["escapes",\{"\$t":"r"/,
    );
    expect(data).toContain('"$t":"fb"');
    // The class a check run's process could not find by name travels with the recording.
    expect(data).toMatch(/"classes":\{"Reading":\{"\$t":"fs","n":"Reading","s":"class Reading/);
    expect(ok.coverage).toBeGreaterThan(0);
    expect(ok.coverage).toBeLessThan(1);
  });

  it('says which call it left out, and why, in the words of the replay that differed', async () => {
    const { report } = await run('sortBy.mjs');
    expect(passed(report).notes).toContainEqual(
      expect.stringMatching(
        /^1 call not recorded: input holds a function or an instance that does not replay the same once rebuilt \(a function that reads variables around it, .*\): expected return \[ \{ n: 'q' \}, \{ n: 'p' \} \], got ReferenceError: rank is not defined/,
      ),
    );
  });

  it('accepts a candidate that calls the key once per item, on the rebuilt keys', async () => {
    const { report } = await run('sortByFast.mjs', { kind: 'check', recording: await profiled() });
    expect(measurementOf(report).calls).toBe(10);
  });

  it('rejects a candidate that drops an option only the recorded calls use', async () => {
    const withoutAsserts = fixture('sortBy.test.mjs').replace(/assert\.deepEqual/g, 'void');
    const { report } = await runNodeHarness({
      files: { ...tests, 'sortBy.mjs': fixture('sortByWrong.mjs'), 'sortBy.test.mjs': withoutAsserts },
      modulePath: 'sortBy.mjs',
      testPaths: ['sortBy.test.mjs'],
      target: 'sortBy',
      mode: { kind: 'check', recording: await profiled() },
    });
    const failure = failed(report).failures[0];
    expect(failure?.test).toMatch(/^differential check \(call \d\)$/);
    expect(failure?.message).toBe(
      'expected [ [ 1, 5 ], [ 4, 2 ] ], got [ [ 4, 2 ], [ 1, 5 ] ] (differs at result[0][0])',
    );
  });
});

describe('node harness: a recursive function called with an input it cannot record', () => {
  it('counts and records only the calls the tests made, not the recursion inside the one it left out', async () => {
    const { report } = await runNodeHarness({
      files: {
        'depth.mjs': [
          'export function depth(value) {',
          '  return Array.isArray(value) ? 1 + Math.max(0, ...value.map(depth)) : 0;',
          '}',
        ].join('\n'),
        'depth.test.mjs': [
          "import assert from 'node:assert/strict';",
          "import { test } from 'node:test';",
          "import { depth } from './depth.mjs';",
          "test('nested lists', () => assert.equal(depth([1, [2, [3]]]), 3));",
          "test('a symbol beside a list', () => assert.equal(depth([[1, [2]], Symbol('end')]), 3));",
        ].join('\n'),
      },
      modulePath: 'depth.mjs',
      testPaths: ['depth.test.mjs'],
      target: 'depth',
    });
    const ok = passed(report);
    expect(ok.callsMade).toBe(2);
    expect(ok.recording?.calls).toBe(1);
    expect(ok.notes).toContainEqual('1 call not recorded: input holds a Symbol');
  });
});

describe('node harness: what copying costs', () => {
  it('stops copying once copies cost far more than the calls, so the tests run as fast as they would', async () => {
    // 200 calls, each with listeners reading a 6,000-entry registry around them.
    const { report } = await runNodeHarness({
      files: { 'notify.mjs': fixture('notify.mjs'), 'notify.test.mjs': fixture('notify.test.mjs') },
      modulePath: 'notify.mjs',
      testPaths: ['notify.test.mjs'],
      target: 'notify',
    });
    const ok = passed(report);
    expect(ok.callsMade).toBe(200);
    expect(ok.recording?.calls).toBeGreaterThan(0);
    expect(ok.recording?.calls).toBeLessThan(200);
    expect(ok.notes?.join('\n')).toMatch(
      /calls not recorded: copying the inputs of the calls before took [\d.]+ s, over twice the time of the calls themselves/,
    );
  }, 200_000);
});
