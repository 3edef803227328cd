// The JavaScript harness as the sandbox runs it: `node --expose-gc sandbox/node/harness.mjs
// job.json` in a fresh work dir, reading the report after the last marker line.
import { afterAll, describe, expect, it } from 'vitest';
import { watchMachineLoad } from '../../src/adapters/machineLoad';
import { noiseFigures, noiseVerdict } from '../../src/core/noise';
import type { Recording } from '../../src/core/sandboxTypes';
import { transpileTypeScript } from '../../src/languages/node/typescriptTranspile';
import {
  failed,
  fixture,
  measurementOf,
  passed,
  removeWorkDirs,
  runNodeHarness as runHarness,
  transpiledFixtures,
  tsFixtures,
} from './nodeHarnessRun';

afterAll(removeWorkDirs);

const sumFiles = { 'sum.mjs': fixture('sum.mjs'), 'sum.test.mjs': fixture('sum.test.mjs') };

describe('node harness: tests', () => {
  it('counts async node:test tests, records calls and measures', async () => {
    const { report } = await runHarness({
      files: sumFiles,
      modulePath: 'sum.mjs',
      testPaths: ['sum.test.mjs'],
      target: 'slowSum',
      measure: { budgetMs: 300, hotLines: true, sizes: [100, 400] },
    });
    const ok = passed(report);
    expect(ok.tests).toEqual({ passed: 2, failed: 0 });
    expect(ok.runner).toBe('node:test');
    expect(ok.recording?.calls).toBe(2);
    const m = measurementOf(report);
    expect(m.calls).toBe(2);
    expect(m.runtimeMs.samples).toBeGreaterThanOrEqual(5);
    expect(m.runtimeMs.values).toHaveLength(m.runtimeMs.samples);
    expect(m.runtimeMs.min).toBeLessThanOrEqual(m.runtimeMs.median);
    // The figure separate profiles compare by: the 10th percentile, nearest rank below.
    const sorted = [...m.runtimeMs.values].sort((a, b) => a - b);
    expect(m.runtimeMs.p10).toBe(sorted[Math.floor(0.1 * (sorted.length - 1))]);
    expect(m.hotLines?.[0]?.source).toContain('for (let j = 0; j <= i; j++)');
    expect(m.sizes?.map((s) => s.size)).toEqual([100, 400]);
  });

  it('sees no memory growth in a loop that allocates nothing, however long it runs, and sees it where the loop collects', async () => {
    const files = {
      'inversions.mjs': fixture('inversions.mjs'),
      'inversions.test.mjs': fixture('inversions.test.mjs'),
    };
    const sizes = [200, 800, 3200];
    const peaks = async (target: string) =>
      (
        measurementOf(
          (
            await runHarness({
              files,
              modulePath: 'inversions.mjs',
              testPaths: ['inversions.test.mjs'],
              target,
              measure: { budgetMs: 300, sizes },
            })
          ).report,
        ).sizes ?? []
      ).map((s) => s.peakMemoryKb);
    // The memory sampler's own allocations grow with time (the 3200 round lasts ~5 ms): they are not the code's.
    const still = await peaks('countInversions');
    expect(still).toHaveLength(3);
    for (const kb of still) expect(kb).toBeLessThan(2);
    // 3200 values scrambled: about 2.5 M pairs out of order, pushed as small integers (≥ 8 MB).
    // On a busy machine the sampling thread can miss the peak of the ~5 ms round: measured again
    // (up to three times), as a user would profile again when the harness says sampling starved.
    const grows = (kb: number[]): boolean => (kb[2] ?? 0) > 4000 && (kb[2] ?? 0) > 10 * (kb[0] ?? 0);
    let growing = await peaks('listInversions');
    for (let retry = 0; retry < 2 && !grows(growing); retry++) growing = await peaks('listInversions');
    expect(growing[2]).toBeGreaterThan(4000);
    expect(growing[2] ?? 0).toBeGreaterThan(10 * (growing[0] ?? 0));
  });

  it("records a call whose result is a lazy thenable without running its work twice: the tests see one 'then'", async () => {
    const { report } = await runHarness({
      files: { 'lazyThenable.mjs': fixture('lazyThenable.mjs'), 't.test.mjs': fixture('lazyThenable.test.mjs') },
      modulePath: 'lazyThenable.mjs',
      testPaths: ['t.test.mjs'],
      target: 'lookup',
    });
    const fn = passed(report);
    expect(fn.tests).toEqual({ passed: 1, failed: 0 });
    expect(fn.recording?.calls).toBe(1);
  });

  it('reports a failing test by name with the assertion text', async () => {
    const { report } = await runHarness({
      files: { 'sum.mjs': fixture('sum.mjs'), 't.test.mjs': fixture('sumFailing.test.mjs') },
      modulePath: 'sum.mjs',
      testPaths: ['t.test.mjs'],
      target: 'slowSum',
    });
    expect(report.kind).toBe('failed');
    if (report.kind !== 'failed') return;
    expect(report.tests).toEqual({ passed: 1, failed: 1 });
    expect(report.failures[0]?.test).toBe('wrong expectation');
    expect(report.failures[0]?.message).toMatch(/6 !== 7/);
    expect(report.failures[0]?.message).toContain('t.test.mjs:');
  });

  it('runs a plain assert script and keeps its console output off the report line', async () => {
    const { report, stdout, stderr } = await runHarness({
      files: { 'sum.mjs': fixture('sum.mjs'), 'check.mjs': fixture('sum.script.mjs') },
      modulePath: 'sum.mjs',
      testPaths: ['check.mjs'],
      target: 'slowSum',
      mode: { kind: 'test' },
    });
    expect(passed(report).tests).toEqual({ passed: 1, failed: 0 });
    expect(passed(report).runner).toBe('assert-script');
    expect(stdout).not.toContain('script done');
    expect(stderr).toContain('script done');
  });

  it('points at the line of a syntax error', async () => {
    const { report } = await runHarness({
      files: { 'broken.mjs': fixture('broken.mjs'), 'broken.test.mjs': fixture('broken.test.mjs') },
      modulePath: 'broken.mjs',
      testPaths: ['broken.test.mjs'],
      target: 'broken',
    });
    expect(report.kind).toBe('error');
    expect(report.kind === 'error' && report.message).toMatch(/SyntaxError in broken\.mjs:2/);
  });

  it('says the tests never finished when they wait for what never settles, instead of exiting without a word', async () => {
    const { report } = await runHarness({
      files: { 'sum.mjs': fixture('sum.mjs'), 'sum.test.mjs': fixture('sumNeverSettles.test.mjs') },
      modulePath: 'sum.mjs',
      testPaths: ['sum.test.mjs'],
      target: 'slowSum',
    });
    expect(report.kind).toBe('error');
    expect(report.kind === 'error' && report.message).toMatch(
      /^the tests never finished: they wait for something that never settles/,
    );
  });

  it('names the exports that exist when the target is missing', async () => {
    const { report } = await runHarness({
      files: sumFiles,
      modulePath: 'sum.mjs',
      testPaths: ['sum.test.mjs'],
      target: 'fastSum',
    });
    expect(report.kind).toBe('error');
    expect(report.kind === 'error' && report.message).toMatch(
      /`fastSum` is not exported by sum\.mjs; its exports are: slowSum/,
    );
  });

  it('records a CommonJS class method through require and destructuring', async () => {
    const files = { 'stats.cjs': fixture('stats.cjs'), 'stats.test.cjs': fixture('stats.test.cjs') };
    const { report } = await runHarness({
      files,
      modulePath: 'stats.cjs',
      testPaths: ['stats.test.cjs'],
      target: 'Stats.variance',
    });
    const ok = passed(report);
    expect(ok.tests).toEqual({ passed: 2, failed: 0 });
    expect(ok.recording?.calls).toBe(1);
    const check = await runHarness({
      files: { 'stats.cjs': fixture('statsFast.cjs'), 'stats.test.cjs': fixture('stats.test.cjs') },
      modulePath: 'stats.cjs',
      testPaths: ['stats.test.cjs'],
      target: 'Stats.variance',
      mode: { kind: 'check', recording: ok.recording as Recording },
    });
    expect(passed(check.report).measurement?.calls).toBe(1);
  });
});

describe('node harness: check mode', () => {
  const profile = runOnce(
    async () =>
      passed(
        (await runHarness({ files: sumFiles, modulePath: 'sum.mjs', testPaths: ['sum.test.mjs'], target: 'slowSum' }))
          .report,
      ).recording as Recording,
  );

  it('accepts an equivalent candidate and measures it on the recorded inputs', async () => {
    const { report } = await runHarness({
      files: { 'sum.mjs': fixture('sumFast.mjs'), 'sum.test.mjs': fixture('sum.test.mjs') },
      modulePath: 'sum.mjs',
      testPaths: ['sum.test.mjs'],
      target: 'slowSum',
      mode: { kind: 'check', recording: await profile() },
    });
    expect(measurementOf(report).calls).toBe(2);
  });

  it('rejects a wrong candidate with a differential message even when no test catches it', async () => {
    const { report } = await runHarness({
      files: {
        'sum.mjs': fixture('sumWrong.mjs'),
        'sum.test.mjs': fixture('sum.test.mjs').replace(/assert\.equal/g, 'void'),
      },
      modulePath: 'sum.mjs',
      testPaths: ['sum.test.mjs'],
      target: 'slowSum',
      mode: { kind: 'check', recording: await profile() },
    });
    expect(report.kind).toBe('failed');
    if (report.kind !== 'failed') return;
    expect(report.failures[0]?.test).toBe('differential check (call 1)');
    expect(report.failures[0]?.message).toBe('expected 6, got 5');
  });

  it('detects a candidate that no longer mutates its argument', async () => {
    const test = fixture('sortInPlace.test.mjs');
    const rec = passed(
      (
        await runHarness({
          files: { 'sortInPlace.mjs': fixture('sortInPlace.mjs'), 't.test.mjs': test },
          modulePath: 'sortInPlace.mjs',
          testPaths: ['t.test.mjs'],
          target: 'sortedMedian',
        })
      ).report,
    ).recording as Recording;
    const { report } = await runHarness({
      files: { 'sortInPlace.mjs': fixture('sortCopy.mjs'), 't.test.mjs': test },
      modulePath: 'sortInPlace.mjs',
      testPaths: ['t.test.mjs'],
      target: 'sortedMedian',
      mode: { kind: 'check', recording: rec },
    });
    expect(report.kind).toBe('failed');
    expect(report.kind === 'failed' && report.failures[0]?.message).toMatch(
      /argument mutation differs: argument 1 .*expected \[ 1, 2, 3, 4, 5 \], got \[ 5, 1, 4, 2, 3 \]/,
    );
  });
});

describe('node harness: measurement', () => {
  it('sees the ~10 MB a call allocates as peak memory, with a positive integral', async () => {
    const files = { 'allocate.mjs': fixture('allocate.mjs'), 'allocate.test.mjs': fixture('allocate.test.mjs') };
    let notes: readonly string[] = [];
    const profile = async () => {
      const { report } = await runHarness({
        files,
        modulePath: 'allocate.mjs',
        testPaths: ['allocate.test.mjs'],
        target: 'allocateAndSum',
      });
      notes = report.kind === 'passed' ? (report.notes ?? []) : [];
      return measurementOf(report);
    };
    // The sampling thread shares the CPUs with everything else: with other test files running beside
    // it, it has been seen at 924 Hz. Profiled again (at most three times) as a user would, and
    // held to 1 kHz unless the machine was busy over the attempts, when a quarter of it must still hold.
    const load = watchMachineLoad();
    let m = await profile();
    for (let retry = 0; retry < 2 && (m.integralSampleHz ?? 0) < 1000; retry++) m = await profile();
    const busy = noiseVerdict(noiseFigures(load.finish(), m.runtimeMs)).busy;
    expect(m.integralSampleHz).toBeGreaterThanOrEqual(busy ? 250 : 1000);
    expect(m.peakMemoryKb).toBeGreaterThanOrEqual(8000);
    expect(m.peakMemoryKb).toBeLessThanOrEqual(16000);
    expect(m.integralKbMs).toBeGreaterThan(0);
    // Beside two CPU hogs a round of these calls has passed 50 ms: a long round is measured with the
    // samples its budget holds (at least 3), and a note says so.
    const long = notes.some((n) => /^one round of the recorded calls lasts \d+ ms/.test(n));
    expect(m.runtimeMs.samples).toBeGreaterThanOrEqual(long ? 3 : 5);
  });

  it('reads the same memory for a microsecond function run after run, and none for one that allocates nothing', async () => {
    const files = { 'labels.mjs': fixture('labels.mjs'), 'labels.test.mjs': fixture('labels.test.mjs') };
    const profile = async (target: string) =>
      measurementOf(
        (await runHarness({ files, modulePath: 'labels.mjs', testPaths: ['labels.test.mjs'], target })).report,
      );
    const runs = [await profile('labels'), await profile('labels'), await profile('labels')];
    const peaks = runs.map((m) => m.peakMemoryKb);
    // A thousand objects of ~115 bytes: seen whole, not wiped out by the sampler's own allocations.
    for (const kb of peaks) expect(kb).toBeGreaterThan(80);
    expect(Math.max(...peaks) / Math.min(...peaks)).toBeLessThan(1.1);
    for (const m of runs) {
      // Memory above a round's start never exceeds its peak, so the area stays under peak × the
      // round's time (with room for a round traced on a busy machine); rounds run back to back do
      // not pile up the garbage of the rounds before them.
      expect(m.integralKbMs).toBeGreaterThan(0);
      expect(m.integralKbMs).toBeLessThan(m.peakMemoryKb * m.runtimeMs.median * 3);
    }
    expect((await profile('checksum')).peakMemoryKb).toBeLessThan(0.5);
  });

  it('runs gc() before samples also when node was started without --expose-gc (as the sandboxes start it)', async () => {
    const files = { 'allocate.mjs': fixture('allocate.mjs'), 'allocate.test.mjs': fixture('allocate.test.mjs') };
    const { report } = await runHarness({
      files,
      modulePath: 'allocate.mjs',
      testPaths: ['allocate.test.mjs'],
      target: 'allocateAndSum',
      exposeGc: false,
    });
    expect(JSON.stringify(report)).not.toContain('globalThis.gc is missing');
    expect(measurementOf(report).peakMemoryKb).toBeGreaterThanOrEqual(8000);
  });

  it('measures a function whose round lasts ~150 ms within its budget: the samples the budget holds, and says so', async () => {
    const files = { 'gridPaths.mjs': fixture('gridPaths.mjs'), 'gridPaths.test.mjs': fixture('gridPaths.test.mjs') };
    const { report } = await runHarness({
      files,
      modulePath: 'gridPaths.mjs',
      testPaths: ['gridPaths.test.mjs'],
      target: 'gridPaths',
      measure: { budgetMs: 600 },
    });
    const m = measurementOf(report);
    // Five samples of ~150 ms would overrun a 600 ms budget: three or four fit it.
    expect(m.runtimeMs.samples).toBeGreaterThanOrEqual(3);
    expect(m.runtimeMs.samples).toBeLessThan(5);
    expect(m.peakMemoryKb).toBeGreaterThan(0);
    expect(report.kind === 'passed' ? report.notes : []).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^one round of the recorded calls lasts \d+ ms: the runtime is from \d timing samples/),
      ]),
    );
  });

  it('says what share of the tests’ time in the function the calls it could not record took, and that the figures leave them out', async () => {
    const files = { 'readings.mjs': fixture('readings.mjs'), 'readings.test.mjs': fixture('readings.test.mjs') };
    const { report } = await runHarness({
      files,
      modulePath: 'readings.mjs',
      testPaths: ['readings.test.mjs'],
      target: 'total',
      measure: { budgetMs: 200 },
    });
    const ran = passed(report);
    expect(ran.callsMade).toBe(2);
    expect(measurementOf(report).calls).toBe(1);
    // Four numbers against a million: the recorded call is a sliver of the function's time.
    expect(ran.coverage).toBeLessThan(0.01);
    // The longest call left out is the million-number one: milliseconds, not the 4-number call's microseconds.
    expect(ran.longestUnrecordedMs).toBeGreaterThan(0.5);
    const whole = passed(
      (await runHarness({ files: sumFiles, modulePath: 'sum.mjs', testPaths: ['sum.test.mjs'], target: 'slowSum' }))
        .report,
    );
    expect(whole.coverage).toBe(1);
    expect(whole.longestUnrecordedMs).toBeUndefined();
  });

  it('orders an implementation doing 20 % more work after the original', async () => {
    const test = fixture('spin.test.mjs');
    // Separate profiles compare by their 10th percentile (README, How "faster" is measured): beside
    // two CPU hogs, the fastest of three medians read the slower version 1.71 ms, the original 2.51.
    const measureSpin = async (source: string): Promise<number> => {
      const runtime = measurementOf(
        (
          await runHarness({
            files: { 'spin.mjs': source, 'spin.test.mjs': test },
            modulePath: 'spin.mjs',
            testPaths: ['spin.test.mjs'],
            target: 'spin',
            measure: { budgetMs: 1500 },
          })
        ).report,
      ).runtimeMs;
      return runtime.p10 ?? runtime.median;
    };
    // Separate profiles on a shared machine: a CPU hog can slow one of them by more than 20 %, as a
    // user would see. So they alternate, three each, and the fastest of each decides: load only
    // ever adds time.
    let fast = Infinity;
    let slow = Infinity;
    for (let round = 0; round < 3; round++) {
      fast = Math.min(fast, await measureSpin(fixture('spin.mjs')));
      slow = Math.min(slow, await measureSpin(fixture('spinSlower.mjs')));
    }
    expect(slow).toBeGreaterThan(fast);
  });
});

describe('node harness: TypeScript after transpiling', () => {
  it('runs TypeScript tests and records a function and a class method', async () => {
    const out = transpileTypeScript({
      files: [
        { path: 'src/sum.ts', content: fixture('sum.ts', tsFixtures) },
        { path: 'src/sum.test.ts', content: fixture('sum.test.ts', tsFixtures) },
      ],
      modulePath: 'src/sum.ts',
      testPaths: ['src/sum.test.ts'],
    });
    if (out.kind !== 'ok') throw new Error(out.message);
    const files = Object.fromEntries(out.files.map((f) => [f.path, f.content]));
    const fn = passed(
      (await runHarness({ files, modulePath: out.modulePath, testPaths: out.testPaths, target: 'totals' })).report,
    );
    expect(fn.tests).toEqual({ passed: 2, failed: 0 });
    expect(fn.recording?.calls).toBe(1);
    const method = passed(
      (await runHarness({ files, modulePath: out.modulePath, testPaths: out.testPaths, target: 'Counter.add' })).report,
    );
    expect(method.recording?.calls).toBe(2);
  });

  it('reports the hot line as the line and text of the TypeScript source', async () => {
    const job = transpiledFixtures({ 'slowSum.ts': 'slowSum.ts', 'slowSum.test.ts': 'slowSum.test.ts' }, 'slowSum.ts', [
      'slowSum.test.ts',
    ]);
    const m = measurementOf(
      (await runHarness({ ...job, target: 'slowSum', measure: { budgetMs: 300, hotLines: true } })).report,
    );
    const hot = m.hotLines?.[0];
    const tsLines = fixture('slowSum.ts', tsFixtures).split('\n');
    // The type annotation only exists in the TypeScript text; the emitted JavaScript has it nowhere.
    expect(hot?.source).toBe(
      'for (let j: number = 0; j <= i; j++) if (j === i) total += (values[j] as number) * options.scale;',
    );
    expect(tsLines[(hot?.line ?? 0) - 1]?.trim()).toBe(hot?.source);
    expect(job.files['slowSum.mjs']?.split('\n')[(hot?.line ?? 0) - 1]).not.toContain('j <= i');
  });

  it('points a failing TypeScript test at its line in the .ts file', async () => {
    const job = transpiledFixtures(
      { 'slowSum.ts': 'slowSum.ts', 'wrong.test.ts': 'slowSumFailing.test.ts' },
      'slowSum.ts',
      ['wrong.test.ts'],
    );
    const report = failed((await runHarness({ ...job, target: 'slowSum', mode: { kind: 'test' } })).report);
    const assertLine =
      fixture('slowSumFailing.test.ts', tsFixtures)
        .split('\n')
        .findIndex((l) => l.includes('assert.equal')) + 1;
    expect(report.failures[0]?.test).toBe('wrong expectation');
    expect(report.failures[0]?.message).toContain('6 !== 7');
    expect(report.failures[0]?.message).toContain(`(at wrong.test.ts:${assertLine})`);
  });

  it('turns a TypeScript syntax error into a message with file:line:column', () => {
    const out = transpileTypeScript({
      files: [{ path: 'broken.ts', content: fixture('broken.ts', tsFixtures) }],
      modulePath: 'broken.ts',
      testPaths: [],
    });
    expect(out.kind === 'error' && out.message).toMatch(/^TypeScript syntax error in broken\.ts:2:\d+/);
  });
});

/** Computes a value on first use and keeps it (shared by the tests of one describe block). */
function runOnce<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}
