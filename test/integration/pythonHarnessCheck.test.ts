// `check` mode: a candidate module is tested, then the original's recorded calls are replayed on it.
import { describe, expect, it } from 'vitest';
import type { Recording } from '../../src/core/sandboxTypes';
import { expectFailed, expectPassed, measurementOf, recordingOf, runPythonHarness } from './pythonHarnessRun';

async function profile(fixture: string, modulePath: string, testPaths: string[], target: string): Promise<Recording> {
  return recordingOf((await runPythonHarness({ fixture, modulePath, testPaths, target, runner: 'unittest' })).report);
}

async function check(
  fixture: string,
  modulePath: string,
  testPaths: string[],
  target: string,
  recording: Recording,
  candidate: string,
) {
  return (
    await runPythonHarness({
      fixture,
      modulePath,
      testPaths,
      target,
      candidate,
      mode: { kind: 'check', recording },
      runner: 'unittest',
    })
  ).report;
}

describe('python harness: differential check of a candidate', () => {
  it('passes an equivalent candidate and measures it on the recorded calls', async () => {
    const recording = await profile('dedupe', 'dedupe.py', ['test_dedupe.py'], 'dedupe');
    const report = await check(
      'dedupe',
      'dedupe.py',
      ['test_dedupe.py'],
      'dedupe',
      recording,
      'candidates/set_based.py',
    );
    expect(expectPassed(report).tests).toEqual({ passed: 3, failed: 0 });
    expect(measurementOf(report).calls).toBe(recording.calls);
  });

  it('fails a candidate that passes the tests but returns something else on a recorded call', async () => {
    const recording = await profile('dedupe', 'dedupe.py', ['test_dedupe.py'], 'dedupe');
    const failed = expectFailed(
      await check('dedupe', 'dedupe.py', ['test_dedupe.py'], 'dedupe', recording, 'candidates/unordered.py'),
    );
    expect(failed.failures[0]?.test).toBe('differential check (call 3)');
    expect(failed.failures[0]?.message).toMatch(/expected .+, got .+/);
  });

  it('fails a candidate that does not mutate its argument the way the original did', async () => {
    const recording = await profile('mutate', 'normalize.py', ['test_normalize.py'], 'normalize');
    const failed = expectFailed(
      await check('mutate', 'normalize.py', ['test_normalize.py'], 'normalize', recording, 'candidates/pure.py'),
    );
    expect(failed.failures[0]?.message).toContain('argument mutation');
    expect(failed.failures[0]?.message).toContain('expected 0.0, got 5.0');
    const same = await check(
      'mutate',
      'normalize.py',
      ['test_normalize.py'],
      'normalize',
      recording,
      'candidates/faster_in_place.py',
    );
    expect(same.kind).toBe('passed');
  });

  it('compares iterator arguments by the items still to come: equal when consumed alike, a mutation when not', async () => {
    const recording = await profile('iterators', 'uniq.py', ['test_uniq.py'], 'all_distinct');
    expect(recording.calls).toBe(3);
    const same = await check(
      'iterators',
      'uniq.py',
      ['test_uniq.py'],
      'all_distinct',
      recording,
      'candidates/same_stops_early.py',
    );
    expect(expectPassed(same).tests).toEqual({ passed: 3, failed: 0 });
    // Reading the whole iterator passes the tests; the recorded call shows what it took from the caller.
    const failed = expectFailed(
      await check('iterators', 'uniq.py', ['test_uniq.py'], 'all_distinct', recording, 'candidates/reads_all.py'),
    );
    expect(failed.failures[0]?.message).toMatch(/argument 1: expected the chain left at another point/);
  });

  it('compares the instance after a method call, allowing new attributes', async () => {
    const recording = await profile('inventory', 'inventory.py', ['test_inventory.py'], 'Inventory.add');
    const extra = await check(
      'inventory',
      'inventory.py',
      ['test_inventory.py'],
      'Inventory.add',
      recording,
      'candidates/extra_attribute.py',
    );
    expect(extra.kind).toBe('passed');
    const failed = expectFailed(
      await check(
        'inventory',
        'inventory.py',
        ['test_inventory.py'],
        'Inventory.add',
        recording,
        'candidates/forgets_items.py',
      ),
    );
    expect(failed.failures[0]?.message).toContain("self.items['apple']: expected 5, got 3");
  });

  it('checks a faster formula against the loop it replaces', async () => {
    const recording = await profile('squares', 'squares.py', ['test_squares.py'], 'sum_of_squares');
    const report = await check(
      'squares',
      'squares.py',
      ['test_squares.py'],
      'sum_of_squares',
      recording,
      'candidates/formula.py',
    );
    expect(expectPassed(report).tests.passed).toBe(3);
  });
});
