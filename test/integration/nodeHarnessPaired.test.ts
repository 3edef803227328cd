// `check` with a reference, JavaScript side: the harness measures the candidate and the best
// version so far side by side in one process, and the acceptance rule decides on those paired
// samples. The assertions are on decisions (what the user sees), never on timings.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findHarnessReport } from '../../src/adapters/harnessReport';
import { runChild } from './childProcess';
import { decideAcceptance, sideBySideSpeedFactor } from '../../src/core/acceptance';
import type { HarnessJob, HarnessReport, Measurement, Recording } from '../../src/core/sandboxTypes';

const harness = path.resolve(__dirname, '../../sandbox/node/harness.mjs');
const workDirs: string[] = [];
afterAll(() => {
  for (const d of workDirs) rmSync(d, { recursive: true, force: true });
});

/** `rounds` passes over the values; the result does not depend on it (scaled back to 4 passes). */
function workModule(rounds: number): string {
  return `
export function work(values) {
  let total = 0;
  for (let r = 0; r < ${rounds}; r++) for (const v of values) total += v * v;
  return (total / ${rounds}) * 4;
}

export class Meter {
  constructor(rounds) {
    this.rounds = rounds;
  }
  work(values) {
    let total = 0;
    const passes = this.rounds * ${rounds} / 4;
    for (let r = 0; r < passes; r++) for (const v of values) total += v * v;
    return (total / passes) * this.rounds;
  }
}
`;
}

const ORIGINAL = workModule(4);
const TEST = `
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { work, Meter } from './work.mjs';

const values = Array.from({ length: 3000 }, (_, i) => i % 97);
const expected = 4 * values.reduce((s, v) => s + v * v, 0);
test('work', () => assert.equal(work(values), expected));
test('meter', () => assert.equal(new Meter(4).work(values), expected));
`;
const REFERENCE = 'work.afterburner-reference.mjs';

async function runHarness(
  files: Record<string, string>,
  target: string,
  mode: HarnessJob['mode'],
  budgetMs = 300,
): Promise<HarnessReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ab-node-paired-'));
  workDirs.push(dir);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), content);
  }
  const job: HarnessJob = {
    language: 'javascript',
    modulePath: 'work.mjs',
    testPaths: ['work.test.mjs'],
    target,
    mode,
    measure: { budgetMs },
    seed: 7,
  };
  writeFileSync(path.join(dir, 'job.json'), JSON.stringify(job));
  const proc = await runChild(process.execPath, ['--expose-gc', harness, 'job.json'], { cwd: dir }, 100_000);
  const report = findHarnessReport(proc.stdout);
  if (proc.status !== 0 || !report)
    throw new Error(`harness exited ${String(proc.status)}: ${proc.stdout.slice(-1500)} ${proc.stderr.slice(-1500)}`);
  return report;
}

async function profile(target: string): Promise<{ recording: Recording; measurement: Measurement }> {
  const report = await runHarness({ 'work.mjs': ORIGINAL, 'work.test.mjs': TEST }, target, { kind: 'profile' });
  if (report.kind !== 'passed' || !report.recording || !report.measurement)
    throw new Error(JSON.stringify(report).slice(0, 1500));
  return { recording: report.recording, measurement: report.measurement };
}

/** Checks `candidate` with the original module beside it as the reference. */
async function sideBySide(
  target: string,
  recording: Recording,
  candidate: string,
): Promise<{ candidate: Measurement; reference: Measurement }> {
  const report = await runHarness({ 'work.mjs': candidate, 'work.test.mjs': TEST, [REFERENCE]: ORIGINAL }, target, {
    kind: 'check',
    recording,
    reference: { modulePath: REFERENCE },
  });
  if (report.kind !== 'passed' || !report.measurement || !report.referenceMeasurement)
    throw new Error(`no side-by-side measurement: ${JSON.stringify(report).slice(0, 1500)}`);
  return { candidate: report.measurement, reference: report.referenceMeasurement };
}

describe('node harness: candidate and reference measured side by side', () => {
  let fn: { recording: Recording; measurement: Measurement };
  beforeAll(async () => {
    fn = await profile('work');
  });

  it('reports paired samples for both, with memory figures for each', async () => {
    const { candidate, reference } = await sideBySide('work', fn.recording, ORIGINAL);
    expect(reference.runtimeMs.samples).toBe(candidate.runtimeMs.samples);
    expect(candidate.runtimeMs.samples).toBeGreaterThanOrEqual(20);
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
    const { candidate, reference } = await sideBySide('work', fn.recording, ORIGINAL);
    const factor = sideBySideSpeedFactor(candidate, reference) ?? Number.NaN;
    expect(factor).toBeGreaterThan(0.5);
    expect(factor).toBeLessThan(2);
    const decision = decideAcceptance('time', fn.measurement, candidate, reference);
    expect(decision.kind, decision.reason).toBe('reject');
    expect(decision.reason).toContain('side-by-side');
  });

  it('accepts a candidate doing half the work', async () => {
    const { candidate, reference } = await sideBySide('work', fn.recording, workModule(2));
    const decision = decideAcceptance('time', fn.measurement, candidate, reference);
    expect(decision.kind, decision.reason).toBe('accept');
    expect(decision.reason).toMatch(
      /^accepted: [\d.]+× faster than the best so far in a side-by-side measurement \(p [<=] [\d.e-]+\)$/,
    );
  });

  it('rejects a candidate doing twice the work', async () => {
    const { candidate, reference } = await sideBySide('work', fn.recording, workModule(8));
    const decision = decideAcceptance('time', fn.measurement, candidate, reference);
    expect(decision.kind, decision.reason).toBe('reject');
    expect(decision.reason).toMatch(/slower than the best so far in a side-by-side measurement/);
  });

  it("runs the reference class's own method for a Class.method target", async () => {
    const method = await profile('Meter.work');
    // Were the candidate's method replayed on both sides, the pairs would tie and this would be rejected.
    const faster = await sideBySide('Meter.work', method.recording, workModule(2));
    const decision = decideAcceptance('time', method.measurement, faster.candidate, faster.reference);
    expect(decision.kind, decision.reason).toBe('accept');
  });

  it('measures the candidate alone, with a note, when the reference cannot be loaded', async () => {
    const report = await runHarness(
      { 'work.mjs': ORIGINAL, 'work.test.mjs': TEST },
      'work',
      { kind: 'check', recording: fn.recording, reference: { modulePath: 'missing.mjs' } },
      100,
    );
    if (report.kind !== 'passed') throw new Error(JSON.stringify(report).slice(0, 1500));
    expect(report.measurement?.runtimeMs.samples).toBeGreaterThan(0);
    expect(report.referenceMeasurement).toBeUndefined();
    expect((report as unknown as { notes?: string[] }).notes?.join('\n')).toMatch(
      /reference module missing\.mjs could not be loaded/,
    );
  });
});

describe('node harness: side by side on a large heap (the tests keep ~80 MB alive, as jest in the process does)', () => {
  // A sub-microsecond function: one round of its calls is far shorter than a gc() of this heap.
  const AREA = 'export function area(rect) {\n  return rect.w * rect.h;\n}\n';
  const HEAVY_TEST = `
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { area } from './work.mjs';

globalThis.kept = Array.from({ length: 1_500_000 }, (_, i) => ({ i, label: 'row ' + (i % 100) }));
test('area', () => {
  assert.equal(area({ w: 3, h: 4 }), 12);
  assert.equal(area({ w: 0.5, h: 8 }), 4);
});
`;

  it('times as many rounds per sample as alone, not one round and the overhead around it', async () => {
    const files = { 'work.mjs': AREA, 'work.test.mjs': HEAVY_TEST };
    const alone = await runHarness(files, 'area', { kind: 'profile' });
    if (alone.kind !== 'passed' || !alone.recording || !alone.measurement)
      throw new Error(JSON.stringify(alone).slice(0, 1500));
    const paired = await runHarness({ ...files, [REFERENCE]: AREA }, 'area', {
      kind: 'check',
      recording: alone.recording,
      reference: { modulePath: REFERENCE },
    });
    if (paired.kind !== 'passed' || !paired.measurement || !paired.referenceMeasurement)
      throw new Error(JSON.stringify(paired).slice(0, 1500));
    // One round per sample read 176× the round's time alone (the clock and the loop around it).
    expect(paired.measurement.runtimeMs.median).toBeLessThan(4 * alone.measurement.runtimeMs.median);
    expect(paired.referenceMeasurement.runtimeMs.median).toBeLessThan(4 * alone.measurement.runtimeMs.median);
  }, 120_000);
});
