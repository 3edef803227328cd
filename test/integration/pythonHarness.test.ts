// The Python harness's test runners and reports: counts, failure text, user errors, output.
import { describe, expect, it } from 'vitest';
import {
  expectFailed,
  expectPassed,
  measurementOf,
  pythonHasPytest,
  recordingOf,
  runPythonHarness,
} from './pythonHarnessRun';

describe('python harness: running the tests', () => {
  it('runs plain test_* functions, records each outermost call and measures them', async () => {
    const { report } = await runPythonHarness({
      fixture: 'squares',
      modulePath: 'squares.py',
      testPaths: ['test_squares.py'],
      target: 'sum_of_squares',
      runner: 'unittest',
    });
    const passed = expectPassed(report);
    expect(passed.runner).toBe('plain');
    expect(passed.tests).toEqual({ passed: 3, failed: 0 });
    expect(recordingOf(report)).toMatchObject({ language: 'python', calls: 3 });
    const runtime = measurementOf(report).runtimeMs;
    expect(runtime.samples).toBeGreaterThanOrEqual(5);
    expect(runtime.values).toHaveLength(runtime.samples);
    expect(runtime.min).toBeGreaterThan(0);
    expect(runtime.min).toBeLessThanOrEqual(runtime.median);
    expect(runtime.cv).toBeGreaterThanOrEqual(0);
    // The figure separate profiles compare by: the 10th percentile of every sample, nearest rank below.
    const sorted = [...runtime.values].sort((a, b) => a - b);
    expect(runtime.p10).toBe(sorted[Math.floor(0.1 * (sorted.length - 1))]);
  });

  it('runs unittest TestCases', async () => {
    const { report } = await runPythonHarness({
      fixture: 'dedupe',
      modulePath: 'dedupe.py',
      testPaths: ['test_dedupe.py'],
      target: 'dedupe',
      runner: 'unittest',
    });
    expect(expectPassed(report)).toMatchObject({ runner: 'unittest', tests: { passed: 3, failed: 0 } });
  });

  it('reports failing tests with the values of a bare assert, exceptions and their output', async () => {
    const { report } = await runPythonHarness({
      fixture: 'failing',
      modulePath: 'shapes.py',
      testPaths: ['test_shapes.py'],
      target: 'area',
      runner: 'unittest',
    });
    const failed = expectFailed(report);
    expect(failed.tests).toEqual({ passed: 1, failed: 3 });
    const byTest = Object.fromEntries(failed.failures.map((f) => [f.test.split('::')[1], f.message]));
    expect(byTest.test_area).toContain('assert 13 == 12');
    expect(byTest.test_area).toContain('test_shapes.py:6');
    expect(byTest.test_runaway_recursion).toContain('RecursionError');
    expect(byTest.test_noisy).toContain('ValueError: bad width');
    expect(byTest.test_noisy).toContain('about to fail');
  });

  it('counts only outermost calls of a recursive memoised function', async () => {
    const { report } = await runPythonHarness({
      fixture: 'fib',
      modulePath: 'fib.py',
      testPaths: ['test_fib.py'],
      target: 'fib',
      runner: 'unittest',
    });
    expect(recordingOf(report).calls).toBe(2);
  });

  it('leaves the recursion depth of the code under test as it is without the harness', async () => {
    const { report } = await runPythonHarness({
      fixture: 'deep',
      modulePath: 'deep.py',
      testPaths: ['test_deep.py'],
      target: 'count_down',
      runner: 'unittest',
    });
    expect(expectPassed(report).tests).toEqual({ passed: 1, failed: 0 });
    expect(recordingOf(report).calls).toBe(1);
  });

  it('records calls of a method together with the instance', async () => {
    const { report } = await runPythonHarness({
      fixture: 'inventory',
      modulePath: 'inventory.py',
      testPaths: ['test_inventory.py'],
      target: 'Inventory.add',
      runner: 'unittest',
    });
    expect(expectPassed(report).tests).toEqual({ passed: 2, failed: 0 });
    expect(recordingOf(report).calls).toBe(4);
  });

  it('turns a syntax error in the module into an error naming the file and line', async () => {
    const { report } = await runPythonHarness({
      fixture: 'syntax',
      modulePath: 'broken.py',
      testPaths: ['test_broken.py'],
      target: 'fine',
      runner: 'unittest',
    });
    expect(report.kind).toBe('error');
    if (report.kind !== 'error') return;
    expect(report.message).toContain('SyntaxError');
    expect(report.message).toContain('broken.py:2');
    expect(report.message).toContain('Next step');
  });

  it('names what the module defines when the target is missing', async () => {
    const { report } = await runPythonHarness({
      fixture: 'squares',
      modulePath: 'squares.py',
      testPaths: ['test_squares.py'],
      target: 'sum_of_cubes',
      runner: 'unittest',
    });
    expect(report).toMatchObject({ kind: 'error' });
    if (report.kind === 'error') expect(report.message).toContain('sum_of_squares');
  });

  it('turns a syntax error in a test file into an error naming the file and line', async () => {
    const { report } = await runPythonHarness({
      fixture: 'broken_test',
      modulePath: 'm.py',
      testPaths: ['test_m.py'],
      target: 'f',
      runner: 'unittest',
    });
    expect(report.kind).toBe('error');
    if (report.kind === 'error') expect(report.message).toContain('test_m.py:2');
  });

  it('keeps the first calls that fit when the recording would not fit the host’s output window', async () => {
    const { report, stdout } = await runPythonHarness({
      fixture: 'large_calls',
      modulePath: 'totals.py',
      testPaths: ['test_totals.py'],
      target: 'total',
      runner: 'unittest',
    });
    const recording = recordingOf(report) as ReturnType<typeof recordingOf> & { droppedCalls?: number };
    expect(recording.calls).toBeGreaterThan(0);
    expect(recording.calls + (recording.droppedCalls ?? 0)).toBe(40);
    expect(stdout.length).toBeLessThan(1024 * 1024);
    expect(measurementOf(report).calls).toBe(recording.calls);
    // The calls kept are spread evenly over the run: they stand for those left out to fit.
    expect(expectPassed(report).coverage).toBe(1);
    expect(expectPassed(report).longestUnrecordedMs).toBeUndefined();
  });

  it('says what share of the tests’ time in the function the calls it could not record took, and that the figures leave them out', async () => {
    const { report } = await runPythonHarness({
      fixture: 'uncovered',
      modulePath: 'totals.py',
      testPaths: ['test_totals.py'],
      target: 'total',
      runner: 'unittest',
    });
    const passed = expectPassed(report);
    // The 600,000-number call is left out; the small calls before and after it are recorded.
    expect(passed.callsMade).toBe(3);
    expect(measurementOf(report).calls).toBe(2);
    expect(passed.notes).toContain('1 call to total not recorded: inputs over 4 MB to copy.');
    // Four numbers against 600,000: the recorded call is a sliver of the function's time.
    expect(passed.coverage).toBeLessThan(0.01);
    // The longest call left out is the 600,000-number one: milliseconds, not the 4-number call's microseconds.
    expect(passed.longestUnrecordedMs).toBeGreaterThan(0.5);
    // So it is timed in place: the one test making it runs again, and each run's time inside the
    // function is a sample; with the replays, the figures then cover the function's whole time.
    const inPlace = measurementOf(report).inPlace;
    expect(inPlace).toMatchObject({ calls: 1, tests: 1 });
    expect(inPlace?.coverage).toBeGreaterThan(0.99);
    expect(inPlace?.runtimeMs.samples).toBeGreaterThanOrEqual(3);
    // Summing 600,000 floats in a Python loop: milliseconds, thousands of times the replayed round.
    expect(inPlace?.runtimeMs.median).toBeGreaterThan(1000 * measurementOf(report).runtimeMs.median);
    const whole = expectPassed(
      (
        await runPythonHarness({
          fixture: 'slower',
          modulePath: 'work.py',
          testPaths: ['test_work.py'],
          target: 'work',
          runner: 'unittest',
          measure: { budgetMs: 100 },
        })
      ).report,
    );
    expect(whole.coverage).toBe(1);
    expect(whole.longestUnrecordedMs).toBeUndefined();
    expect(whole.measurement?.inPlace).toBeUndefined();
  });

  it('reports memory_limit when the code under test raises MemoryError', async () => {
    const { report } = await runPythonHarness({
      fixture: 'hog',
      modulePath: 'hog.py',
      testPaths: ['test_hog.py'],
      target: 'hog',
      runner: 'unittest',
    });
    expect(report.kind).toBe('memory_limit');
  });

  it('keeps what the code prints out of its stdout, so the report is all the host reads', async () => {
    const { report, stdout, stderr } = await runPythonHarness({
      fixture: 'noisy',
      modulePath: 'chatty.py',
      testPaths: ['test_chatty.py'],
      target: 'chatty',
      runner: 'unittest',
    });
    expect(expectPassed(report).tests.passed).toBe(1);
    expect(stdout).not.toContain('chatter');
    expect(stderr).not.toContain('stderr noise');
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });

  const pytestMissing = !pythonHasPytest();
  const pytestTitle = pytestMissing
    ? 'pytest runner (skipped: python3 -I cannot import pytest on this machine)'
    : 'uses pytest, with fixtures and parametrize, when the interpreter has it';
  it.skipIf(pytestMissing)(pytestTitle, async () => {
    const { report } = await runPythonHarness({
      fixture: 'pytest_style',
      modulePath: 'ranges.py',
      testPaths: ['test_ranges.py'],
      target: 'clamp',
    });
    const failed = expectFailed(report);
    expect(failed.runner).toBe('pytest');
    expect(failed.tests).toEqual({ passed: 4, failed: 1 });
    expect(failed.failures[0]?.test).toBe('test_ranges.py::test_wrong_expectation');
    expect(failed.failures[0]?.message).toContain('assert 10 == 20');
    const { report: broken } = await runPythonHarness({
      fixture: 'broken_test',
      modulePath: 'm.py',
      testPaths: ['test_m.py'],
      target: 'f',
    });
    expect(broken).toMatchObject({ kind: 'error', message: expect.stringContaining('could not be collected') });
    if (broken.kind === 'error') expect(broken.message).toContain('line 2');
  });
});

describe('python harness: without pytest, test modules import as pytest imports them', () => {
  it('puts the folder of a test module (no __init__.py) on sys.path, so a helper beside it imports by its bare name', async () => {
    const { report } = await runPythonHarness({
      fixture: 'tests_helper',
      modulePath: 'stock.py',
      testPaths: ['tests/test_stock.py'],
      target: 'restock_order',
      runner: 'unittest',
    });
    expect(expectPassed(report)).toMatchObject({ tests: { passed: 2, failed: 0 } });
    expect(recordingOf(report).calls).toBe(2);
  });
});
