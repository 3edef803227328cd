// A JavaScript function none of whose calls can be recorded (every call's key function reads a
// WeakMap the records are keys of): the calls timed in place are the whole measurement, runtime
// and memory, and a check run compares a candidate with the best version so far on them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Measurement, Recording } from '../../src/core/sandboxTypes';
import { fixture, passed, removeWorkDirs, runNodeHarness } from './nodeHarnessRun';

afterAll(removeWorkDirs);

const REFERENCE = 'indexBy.afterburner-reference.mjs';

function run(module: string, mode?: { kind: 'check'; recording: Recording; reference?: { modulePath: string } }) {
  return runNodeHarness({
    files: {
      'indexBy.mjs': fixture(module),
      'indexBy.test.mjs': fixture('indexBy.test.mjs'),
      ...(mode?.reference ? { [REFERENCE]: fixture('indexBy.mjs') } : {}),
    },
    modulePath: 'indexBy.mjs',
    testPaths: ['indexBy.test.mjs'],
    target: 'indexBy',
    ...(mode ? { mode } : {}),
  });
}

describe('node harness: no call recordable, every figure in place', () => {
  let profiled: { recording: Recording; measurement: Measurement; coverage?: number; notes?: readonly string[] };
  beforeAll(async () => {
    const { report } = await run('indexBy.mjs');
    const ok = passed(report);
    expect(ok.measurement, JSON.stringify(ok.notes)).toBeDefined();
    profiled = {
      recording: ok.recording as Recording,
      measurement: ok.measurement as Measurement,
      coverage: ok.coverage,
      notes: ok.notes,
    };
  }, 200_000);

  it('measures runtime and memory on the runs of the tests, with no recorded call', () => {
    const { measurement, coverage, recording, notes } = profiled;
    expect(recording.calls).toBe(0);
    expect(coverage).toBe(0);
    expect(measurement.basis).toBe('inPlace');
    expect(measurement.calls).toBe(2);
    expect(measurement.inPlace).toMatchObject({ calls: 2, tests: 2, coverage: 1, share: 1 });
    expect(measurement.runtimeMs.samples).toBeGreaterThanOrEqual(3);
    expect(measurement.runtimeMs).toEqual(measurement.inPlace?.runtimeMs);
    // What the runs saw of a busy machine: runs taken again, and the calls' share of time waiting for a CPU.
    expect(measurement.runtimeMs.retaken).toBeGreaterThanOrEqual(0);
    expect(measurement.runtimeMs.waitShare).toBeGreaterThanOrEqual(0);
    expect(measurement.runtimeMs.waitShare).toBeLessThanOrEqual(1);
    // The 4,000-record call returns eight lists of 500 records (~32 kB of slots alone) and copies
    // the index and a group per record before that.
    expect(measurement.peakMemoryKb, JSON.stringify(notes)).toBeGreaterThan(30);
    expect(measurement.integralKbMs).toBeGreaterThan(0);
    expect(notes?.join('\n') ?? '').toMatch(/input holds a function/);
    const data = JSON.parse(Buffer.from(recording.data, 'base64').toString('utf8')) as {
      calls: unknown[];
      inPlace?: unknown;
    };
    expect(data.calls).toEqual([]);
    expect(data.inPlace).toEqual({ coverage: 1, share: 1 });
  });

  it('compares a candidate with the best version so far in place, runtime and memory for each', async () => {
    const { report } = await run('indexByFast.mjs', {
      kind: 'check',
      recording: profiled.recording,
      reference: { modulePath: REFERENCE },
    });
    const ok = passed(report);
    const mine = ok.measurement;
    const theirs = ok.referenceMeasurement;
    expect(mine?.basis, JSON.stringify(ok.notes)).toBe('inPlace');
    expect(theirs?.basis).toBe('inPlace');
    expect(mine?.runtimeMs.samples).toBeGreaterThanOrEqual(8);
    expect(mine?.runtimeMs.samples).toBe(theirs?.runtimeMs.samples);
    // Copies of the index and the group per record against a push: far apart in every pair.
    const ratios = (mine?.runtimeMs.values ?? []).map((v, i) => (theirs?.runtimeMs.values[i] ?? 0) / v);
    expect(Math.min(...ratios)).toBeGreaterThan(2);
    expect(theirs?.peakMemoryKb ?? 0).toBeGreaterThan(mine?.peakMemoryKb ?? 0);
    expect(mine?.peakMemoryKb ?? 0).toBeGreaterThan(0);
  }, 200_000);

  it('times a candidate alone when there is no best version beside it', async () => {
    const { report } = await run('indexByFast.mjs', { kind: 'check', recording: profiled.recording });
    const ok = passed(report);
    expect(ok.measurement?.basis, JSON.stringify(ok.notes)).toBe('inPlace');
    expect(ok.measurement?.calls).toBe(2);
    expect(ok.measurement?.runtimeMs.samples).toBeGreaterThanOrEqual(3);
    expect(ok.referenceMeasurement).toBeUndefined();
  }, 200_000);
});
