// The harness on code shaped like real projects: a package that re-exports its functions, methods
// reached through instances and subclasses, generators and key functions, a stateful class called
// thousands of times, an async function, conftest files at two levels, an unrelated failing test.
import { describe, expect, it } from 'vitest';
import type { HarnessReport, Recording } from '../../src/core/sandboxTypes';
import {
  expectFailed,
  expectPassed,
  measurementOf,
  pythonHasPytest,
  recordingOf,
  runPythonHarness,
} from './pythonHarnessRun';
import type { PythonRun } from './pythonHarnessRun';

const hasPytest = pythonHasPytest();
const runners: readonly ('auto' | 'unittest')[] = hasPytest ? ['auto', 'unittest'] : ['unittest'];

async function profile(run: Omit<PythonRun, 'mode'>): Promise<HarnessReport> {
  return (await runPythonHarness(run)).report;
}

async function check(run: Omit<PythonRun, 'mode'>, recording: Recording, candidate?: string): Promise<HarnessReport> {
  return (await runPythonHarness({ ...run, mode: { kind: 'check', recording }, ...(candidate ? { candidate } : {}) }))
    .report;
}

const shapes = {
  fixture: 'reexport',
  modulePath: 'shapes/geometry.py',
  testPaths: ['tests/test_shapes.py', 'tests/test_box.py'],
};

describe('python harness: every call reaches the recorder, whatever name it is made through', () => {
  for (const runner of runners) {
    it(`records the calls made through a package re-export, aliases, a registry, a default argument and a wrapper (${runner})`, async () => {
      const report = expectPassed(await profile({ ...shapes, target: 'area', runner }));
      // 1 via the package, 2 via an alias and a direct import, 3 via the registry, the default
      // argument and functools.wraps, 1 from perimeter inside the module, 3 as a sort key.
      expect(report.callsMade).toBe(10);
      expect(recordingOf(report).calls).toBe(10);
      expect(report.notes ?? []).toEqual([]);
    });

    it(`records methods through instances and subclasses, classmethods and staticmethods (${runner})`, async () => {
      const counts: (number | undefined)[][] = [];
      for (const target of ['Box.scale', 'Box.square', 'Box.ratio']) {
        const report = expectPassed(await profile({ ...shapes, target, runner }));
        counts.push([report.callsMade, recordingOf(report).calls]);
      }
      expect(counts).toEqual([
        [2, 2],
        [1, 1],
        [2, 2],
      ]);
    });
  }
});

describe('python harness: calls that cannot be snapshotted', () => {
  const streams = {
    fixture: 'lazy',
    modulePath: 'streams.py',
    testPaths: ['test_streams.py'],
    runner: 'unittest' as const,
  };

  it('records the rest and says how many were skipped and why', async () => {
    const report = expectPassed(await profile({ ...streams, target: 'total' }));
    expect(report.callsMade).toBe(3);
    expect(recordingOf(report).calls).toBe(1);
    expect(report.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^1 call to total not recorded: a generator argument/),
        expect.stringMatching(/^1 call to total not recorded: a locally defined class/),
      ]),
    );
  });

  it('replays lambdas passed as key functions', async () => {
    const report = expectPassed(await profile({ ...streams, target: 'ranked' }));
    expect(recordingOf(report).calls).toBe(2);
    expect(measurementOf(report).calls).toBe(2);
  });

  it('records a generator by what it yields and holds a candidate to the same items', async () => {
    const recording = recordingOf(await profile({ ...streams, target: 'windows' }));
    expect(recording.calls).toBe(2);
    const same = await check({ ...streams, target: 'windows' }, recording, 'candidates/windows_fast.py');
    expect(measurementOf(same).runtimeMs.median).toBeGreaterThan(0);
    // One window short: the partly consumed call still agrees, the exhausted one does not.
    const wrong = expectFailed(
      await check({ ...streams, target: 'windows' }, recording, 'candidates/windows_wrong.py'),
    );
    expect(wrong.failures.map((f) => f.message).join('\n')).toMatch(/yielded items|iterator to end/);
  });

  it('compares the items of a builtin iterator result, whatever iterable the candidate returns', async () => {
    const recording = recordingOf(await profile({ ...streams, target: 'evens' }));
    expectPassed(await check({ ...streams, target: 'evens' }, recording, 'candidates/windows_fast.py'));
  });
});

describe('python harness: recording stays cheap on large states', () => {
  it('samples thousands of method calls evenly and says how many were made', async () => {
    const report = expectPassed(
      await profile({
        fixture: 'stateful',
        modulePath: 'ledger.py',
        testPaths: ['test_ledger.py'],
        target: 'Ledger.add',
      }),
    );
    expect(report.callsMade).toBe(6003);
    const recorded = recordingOf(report).calls;
    expect(recorded).toBeGreaterThan(0);
    expect(recorded).toBeLessThan(6003);
    expect(report.notes).toEqual(
      expect.arrayContaining([expect.stringMatching(/made 6003 calls to Ledger\.add; every \d+(st|nd|rd|th) call/)]),
    );
    // An even sample stands for the calls between: the figures leave nothing out.
    expect(report.coverage).toBe(1);
  });
});

describe('python harness: async targets', () => {
  const fetcher = { fixture: 'asyncfn', modulePath: 'fetcher.py', testPaths: ['test_fetcher.py'] };

  for (const runner of runners) {
    it(`records awaited calls and measures them to completion in an event loop (${runner})`, async () => {
      const report = expectPassed(await profile({ ...fetcher, target: 'gather_total', runner }));
      expect(report.callsMade).toBe(3);
      const m = measurementOf(report);
      expect(m.calls).toBe(3);
      // One call sleeps 1 ms: a round that did not run the coroutines to the end would be faster.
      expect(m.runtimeMs.median).toBeGreaterThanOrEqual(1);
    });
  }

  it('fails a candidate coroutine that returns something else', async () => {
    const recording = recordingOf(await profile({ ...fetcher, target: 'gather_total', runner: 'unittest' }));
    expectFailed(
      await check({ ...fetcher, target: 'gather_total', runner: 'unittest' }, recording, 'candidates/wrong.py'),
    );
  });
});

describe.skipIf(!hasPytest)('python harness: pytest as projects use it', () => {
  const suite = { fixture: 'suite', modulePath: 'app/text.py', testPaths: ['tests/unit/test_text.py'] };

  it('runs conftest fixtures of two levels, parametrize, autouse, tmp_path, monkeypatch, threads and classes', async () => {
    const report = expectPassed(await profile({ ...suite, target: 'slugify' }));
    // 3 parametrized + 3 titles + 1 file + 8 threads + 1 in a class.
    expect(report.callsMade).toBe(16);
    expect(recordingOf(report).calls).toBe(16);
    expect(report.tests).toEqual({ passed: 8, failed: 1 });
    expect(report.notes).toEqual([expect.stringMatching(/1 test\(s\) fail with the code as it is, before any change/)]);
  });

  it('checks candidates on the tests that call the function, and fails one that breaks a passing test', async () => {
    const recording = recordingOf(await profile({ ...suite, target: 'slugify' }));
    const same = expectPassed(await check({ ...suite, target: 'slugify' }, recording));
    // The unrelated test that failed before the change is not run again.
    expect(same.tests).toEqual({ passed: 7, failed: 0 });
    const broken = expectFailed(
      await check({ ...suite, target: 'slugify' }, recording, 'candidates/breaks_threads.py'),
    );
    expect(broken.failures.map((f) => f.test)).toContain('tests/unit/test_text.py::test_threads');
  });

  it('reports a MemoryError inside pytest itself as running out of memory', async () => {
    const report = await profile({
      fixture: 'memory_internal',
      modulePath: 'calc.py',
      testPaths: ['test_calc.py'],
      target: 'double',
    });
    expect(report.kind).toBe('memory_limit');
  });
});

describe('python harness: without pytest', () => {
  it('says that tests importing pytest need pytest', async () => {
    const report = await profile({
      fixture: 'suite',
      modulePath: 'app/text.py',
      testPaths: ['tests/unit/test_text.py'],
      target: 'slugify',
      runner: 'unittest',
    });
    expect(report.kind).toBe('error');
    expect(report.kind === 'error' ? report.message : '').toMatch(/imports pytest.*install pytest/s);
  });
});
