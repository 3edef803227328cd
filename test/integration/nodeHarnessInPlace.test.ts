// JavaScript calls the recording cannot stand for (here a key function reading a WeakMap the rows
// are keys of, over 60,000 rows) timed in place: the tests run again with only a timer on the
// target, and a check run compares a candidate with the best version so far on those runs, paired.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Measurement, Recording } from '../../src/core/sandboxTypes';
import { fixture, measurementOf, passed, removeWorkDirs, runNodeHarness } from './nodeHarnessRun';

afterAll(removeWorkDirs);

const REFERENCE = 'groupTotals.afterburner-reference.mjs';
const TEST = { 'groupTotals.test.mjs': fixture('groupTotals.test.mjs') };

function run(module: string, mode?: { kind: 'check'; recording: Recording; reference?: { modulePath: string } }) {
  return runNodeHarness({
    files: {
      'groupTotals.mjs': fixture(module),
      ...TEST,
      ...(mode?.reference ? { [REFERENCE]: fixture('groupTotals.mjs') } : {}),
    },
    modulePath: 'groupTotals.mjs',
    testPaths: ['groupTotals.test.mjs'],
    target: 'groupTotals',
    ...(mode ? { mode } : {}),
  });
}

describe('node harness: calls timed in place', () => {
  let profiled: { recording: Recording; measurement: Measurement; coverage?: number; notes?: readonly string[] };
  beforeAll(async () => {
    const { report } = await run('groupTotals.mjs');
    const ok = passed(report);
    profiled = {
      recording: ok.recording as Recording,
      measurement: measurementOf(report),
      coverage: ok.coverage,
      notes: ok.notes,
    };
  }, 200_000);

  it('times the tests again when the calls not recorded hold most of their time in the function', () => {
    const { measurement, coverage } = profiled;
    expect(measurement.calls).toBe(1);
    expect(coverage).toBeLessThan(0.05);
    const inPlace = measurement.inPlace;
    expect(inPlace, JSON.stringify(profiled.notes)).toBeDefined();
    expect(inPlace?.calls).toBe(2);
    // Two of the file's three tests call it: the count is of the tests making the calls.
    expect(inPlace?.tests).toBe(2);
    expect(inPlace?.coverage).toBe(1);
    expect(inPlace?.share).toBeGreaterThan(0.95);
    expect(inPlace?.runtimeMs.samples).toBeGreaterThanOrEqual(3);
    // 60,000 rows against a 4-row replay: the in-place run is what the tests' time in the function is.
    expect(inPlace?.runtimeMs.median ?? 0).toBeGreaterThan(100 * measurement.runtimeMs.median);
    // What a check run needs to time candidates the same way travels with the recording.
    const data = JSON.parse(Buffer.from(profiled.recording.data, 'base64').toString('utf8')) as { inPlace?: unknown };
    expect(data.inPlace).toEqual({ coverage: 1, share: inPlace?.share });
  });

  it('compares a candidate with the best version so far in place, run for run, and tells which is faster', async () => {
    const { report } = await run('groupTotalsFast.mjs', {
      kind: 'check',
      recording: profiled.recording,
      reference: { modulePath: REFERENCE },
    });
    const ok = passed(report);
    const mine = ok.measurement?.inPlace;
    const theirs = ok.referenceMeasurement?.inPlace;
    expect(mine, JSON.stringify(ok.notes)).toBeDefined();
    expect(theirs).toBeDefined();
    expect(mine?.runtimeMs.samples).toBeGreaterThanOrEqual(8);
    expect(mine?.runtimeMs.samples).toBe(theirs?.runtimeMs.samples);
    expect(mine?.calls).toBe(2);
    expect(theirs?.calls).toBe(2);
    // A spread per row against one object updated in place: far apart on 60,000 rows, in every pair.
    const ratios = (mine?.runtimeMs.values ?? []).map((v, i) => (theirs?.runtimeMs.values[i] ?? 0) / v);
    expect(Math.min(...ratios)).toBeGreaterThan(2);
  }, 200_000);

  it('times a candidate in place alone when there is no best version beside it', async () => {
    const { report } = await run('groupTotalsFast.mjs', { kind: 'check', recording: profiled.recording });
    const ok = passed(report);
    expect(ok.measurement?.inPlace?.calls, JSON.stringify(ok.notes)).toBe(2);
    expect(ok.measurement?.inPlace?.runtimeMs.samples).toBeGreaterThanOrEqual(3);
    expect(ok.measurement?.inPlace?.share).toBe(profiled.measurement.inPlace?.share);
  }, 200_000);
});
