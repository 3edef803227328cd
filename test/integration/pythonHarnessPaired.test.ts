// `check` with a reference: the harness measures the candidate and the best version so far side by
// side in one process, and the acceptance rule decides on those paired samples. The assertions are
// on decisions (what the user sees), never on timings.
import { beforeAll, describe, expect, it } from 'vitest';
import { decideAcceptance, sideBySideSpeedFactor } from '../../src/core/acceptance';
import type { Measurement, Recording } from '../../src/core/sandboxTypes';
import { expectPassed, measurementOf, recordingOf, runPythonHarness } from './pythonHarnessRun';

const REFERENCE = 'work.afterburner-reference.py';

interface Paired {
  readonly candidate: Measurement;
  readonly reference: Measurement;
}

async function profile(target: string): Promise<{ recording: Recording; measurement: Measurement }> {
  const report = (
    await runPythonHarness({
      fixture: 'paired',
      modulePath: 'work.py',
      testPaths: ['test_work.py'],
      target,
      runner: 'unittest',
    })
  ).report;
  return { recording: recordingOf(report), measurement: measurementOf(report) };
}

/** Checks `candidate` (a fixture file) with the original work.py as the reference beside it. */
async function sideBySide(target: string, recording: Recording, candidate: string): Promise<Paired> {
  const report = (
    await runPythonHarness({
      fixture: 'paired',
      modulePath: 'work.py',
      testPaths: ['test_work.py'],
      target,
      candidate,
      copies: { [REFERENCE]: 'work.py' },
      mode: { kind: 'check', recording, reference: { modulePath: REFERENCE } },
      measure: { budgetMs: 300 },
      runner: 'unittest',
    })
  ).report;
  const passed = expectPassed(report);
  if (!passed.measurement || !passed.referenceMeasurement)
    throw new Error(`no side-by-side measurement: ${JSON.stringify(report).slice(0, 1500)}`);
  return { candidate: passed.measurement, reference: passed.referenceMeasurement };
}

describe('python harness: candidate and reference measured side by side', () => {
  let fn: { recording: Recording; measurement: Measurement };
  beforeAll(async () => {
    fn = await profile('work');
  });

  it('reports paired samples for both, from one process, with memory figures for each', async () => {
    const { candidate, reference } = await sideBySide('work', fn.recording, 'work.py');
    expect(reference.runtimeMs.samples).toBe(candidate.runtimeMs.samples);
    expect(candidate.runtimeMs.samples).toBeGreaterThanOrEqual(20);
    // Pairs compare both versions under one process state; only profiles spread over placements.
    expect(candidate.runtimeMs.placements).toBeUndefined();
    expect(reference.calls).toBe(candidate.calls);
    for (const m of [candidate, reference]) {
      expect(m.peakMemoryKb).toBeGreaterThanOrEqual(0);
      expect(m.integralKbMs).toBeGreaterThanOrEqual(0);
      // How disturbed the samples were, for the busy-machine note.
      expect(m.runtimeMs.retaken).toBeGreaterThanOrEqual(0);
      expect(m.runtimeMs.retaken).toBeLessThanOrEqual(m.runtimeMs.samples);
      if (process.platform === 'linux') {
        expect(m.runtimeMs.waitShare).toBeGreaterThanOrEqual(0);
        expect(m.runtimeMs.waitShare).toBeLessThanOrEqual(1);
      }
    }
  });

  it('does not accept a candidate identical to the reference', async () => {
    const { candidate, reference } = await sideBySide('work', fn.recording, 'work.py');
    const factor = sideBySideSpeedFactor(candidate, reference) ?? Number.NaN;
    expect(factor).toBeGreaterThan(0.5);
    expect(factor).toBeLessThan(2);
    const decision = decideAcceptance('time', fn.measurement, candidate, reference);
    expect(decision.kind, decision.reason).toBe('reject');
    expect(decision.reason).toContain('side-by-side');
  });

  it('accepts a candidate doing half the work', async () => {
    const { candidate, reference } = await sideBySide('work', fn.recording, 'work_twice_as_fast.py');
    const decision = decideAcceptance('time', fn.measurement, candidate, reference);
    expect(decision.kind, decision.reason).toBe('accept');
    expect(decision.reason).toMatch(
      /^accepted: [\d.]+× faster than the best so far in a side-by-side measurement \(p [<=] [\d.e-]+\)$/,
    );
  });

  it('rejects a candidate doing twice the work', async () => {
    const { candidate, reference } = await sideBySide('work', fn.recording, 'work_slower.py');
    const decision = decideAcceptance('time', fn.measurement, candidate, reference);
    expect(decision.kind, decision.reason).toBe('reject');
    expect(decision.reason).toMatch(/slower than the best so far in a side-by-side measurement/);
  });

  it("runs the reference class's own method for a Class.method target", async () => {
    const method = await profile('Meter.work');
    // Were the candidate's method replayed on both sides, the pairs would tie and this would be rejected.
    const faster = await sideBySide('Meter.work', method.recording, 'work_twice_as_fast.py');
    expect(decideAcceptance('time', method.measurement, faster.candidate, faster.reference).kind).toBe('accept');
    const same = await sideBySide('Meter.work', method.recording, 'work.py');
    expect(decideAcceptance('time', method.measurement, same.candidate, same.reference).kind).toBe('reject');
  });

  it('measures the candidate alone, saying why, when the reference cannot be imported', async () => {
    const report = (
      await runPythonHarness({
        fixture: 'paired',
        modulePath: 'work.py',
        testPaths: ['test_work.py'],
        target: 'work',
        mode: { kind: 'check', recording: fn.recording, reference: { modulePath: 'missing.py' } },
        measure: { budgetMs: 100 },
        runner: 'unittest',
      })
    ).report;
    const passed = expectPassed(report);
    expect(passed.measurement?.runtimeMs.samples).toBeGreaterThan(0);
    expect(passed.referenceMeasurement).toBeUndefined();
    expect((report as unknown as { referenceError?: string }).referenceError).toMatch(/missing\.py/);
  });
});
