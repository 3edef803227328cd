import { describe, expect, it } from 'vitest';
import type { BestSoFar, CandidateReport, LoopEvent } from '../../src/core/loopTypes';
import type { Measurement, SandboxResult } from '../../src/core/sandboxTypes';
import {
  decideIteration,
  findCandidate,
  markInterrupted,
  reduceRun,
  startRun,
  summarizeRun,
  type RunRecord,
} from '../../src/panel/panelState';

const original = 'def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s';
const fast = 'def total(xs):\n    return sum(xs)';

function measurement(median: number, peak = 100): Measurement {
  return {
    runtimeMs: {
      median,
      min: median * 0.9,
      mean: median,
      cv: 0.05,
      samples: 3,
      values: [median * 0.9, median, median * 1.2],
    },
    peakMemoryKb: peak,
    integralKbMs: peak * median,
    calls: 4,
  };
}

const info = { sandbox: 'local' as const, isolation: 'bwrap: no network', wallMs: 50, output: '' };
const passed: SandboxResult = {
  ...info,
  kind: 'passed',
  tests: { passed: 3, failed: 0 },
  runner: 'pytest',
  measurement: measurement(10),
};

function start(kind: 'optimize' | 'profile' = 'optimize'): RunRecord {
  return startRun({
    id: 'run1',
    kind,
    fileLabel: 'pkg/stats.py',
    startedAt: 1000,
    iterationsPlanned: 2,
    source: {
      documentUri: 'file:///w/pkg/stats.py',
      target: 'total',
      language: 'python',
      originalCode: original,
      indent: '',
      testUris: [],
    },
  });
}

function best(iteration: number, code: string, median: number): BestSoFar {
  return {
    iteration,
    code,
    moduleText: code,
    measurement: measurement(median),
    speedup: 10 / median,
    memoryRatio: 1,
    integralRatio: 10 / median,
  };
}

function candidate(
  iteration: number,
  index: number,
  code: string,
  verdict: 'accepted' | 'rejected',
  median?: number,
): CandidateReport {
  return {
    iteration,
    index,
    code,
    status: median === undefined ? 'failed' : 'passed',
    verdict: { kind: verdict, reason: `${verdict}: because` },
    ...(median === undefined
      ? { failures: [{ test: 'test_total', message: 'assert 3 == 4' }] }
      : { measurement: measurement(median), speedup: 10 / median }),
  };
}

function run(events: LoopEvent[], record = start()): RunRecord {
  return events.reduce((r, e) => reduceRun(r, e, { now: 2000 }), record);
}

const optimizeEvents: LoopEvent[] = [
  { type: 'started', sandbox: 'local', isolation: 'bwrap: no network', model: 'gpt-test', goal: 'time' },
  { type: 'baseline', result: passed },
  { type: 'iterationStarted', iteration: 1 },
  { type: 'modelText', iteration: 1, text: 'def total' },
  { type: 'candidateProposed', iteration: 1, index: 0, code: 'def total(xs): return 1' },
  { type: 'candidateProposed', iteration: 1, index: 1, code: fast },
];

describe('panel state reducer', () => {
  it('shows sandbox, model and the baseline as the run goes', () => {
    const r = run(optimizeEvents);
    expect(r.view).toMatchObject({
      sandbox: 'local',
      isolation: 'bwrap: no network',
      model: 'gpt-test',
      goal: 'time',
      phase: 'running',
    });
    expect(r.view.baseline?.measure).toMatchObject({ medianMs: 10, minMs: 9, maxMs: 12, samples: 3 });
    expect(r.view.iterations[0]?.modelChars).toBe(9);
    expect(r.view.iterations[0]?.candidates.map((c) => c.status)).toEqual(['measuring', 'measuring']);
    expect(r.view.message).toContain('candidate 1');
  });

  it('records verdicts and offers the accepted candidate of an iteration', () => {
    const r = run([
      ...optimizeEvents,
      { type: 'candidateMeasured', candidate: candidate(1, 0, 'def total(xs): return 1', 'rejected') },
      { type: 'candidateMeasured', candidate: candidate(1, 1, fast, 'accepted', 4) },
      { type: 'iterationDone', iteration: 1, best: best(1, fast, 4) },
    ]);
    const it1 = r.view.iterations[0];
    expect(it1?.done).toBe(true);
    expect(it1?.offered).toBe(1);
    expect(it1?.candidates[0]).toMatchObject({ verdict: 'rejected', failures: [{ test: 'test_total' }] });
    expect(it1?.candidates[1]).toMatchObject({ verdict: 'accepted', speedup: 2.5, linesAdded: 1, linesRemoved: 4 });
    expect(r.view.best).toMatchObject({ iteration: 1, speedup: 2.5 });
    expect(findCandidate(r, 1, 1)?.code).toBe(fast);
  });

  it('offers the best passing candidate when none was accepted, never a failing one', () => {
    const r = run([
      ...optimizeEvents,
      { type: 'candidateMeasured', candidate: candidate(1, 0, 'def total(xs): return 1', 'rejected') },
      { type: 'candidateMeasured', candidate: candidate(1, 1, fast, 'rejected', 9.9) },
      { type: 'iterationDone', iteration: 1, best: best(0, original, 10) },
      { type: 'finished', outcome: 'no_improvement', stop: 'completed', reason: 'No candidate beat the original.' },
    ]);
    expect(r.view.iterations[0]?.offered).toBe(1);
    expect(r.view.phase).toBe('no_improvement');
    expect(r.view.message).toBe('No candidate beat the original.');
    expect(summarizeRun(r.view).bestWords).toBeUndefined();
  });

  it('never offers a passing candidate that measured slower than the original', () => {
    const r = run([
      ...optimizeEvents,
      { type: 'candidateMeasured', candidate: candidate(1, 0, 'def total(xs): return 1', 'rejected') },
      { type: 'candidateMeasured', candidate: candidate(1, 1, fast, 'rejected', 12) },
      { type: 'iterationDone', iteration: 1, best: best(0, original, 10) },
    ]);
    expect(r.view.iterations[0]?.offered).toBeUndefined();
  });

  it('does not offer a passing candidate that is slower than the best so far', () => {
    const r = run([
      ...optimizeEvents,
      { type: 'candidateMeasured', candidate: candidate(1, 1, fast, 'accepted', 2) },
      { type: 'iterationDone', iteration: 1, best: best(1, fast, 2) },
      { type: 'iterationStarted', iteration: 2 },
      {
        type: 'candidateMeasured',
        candidate: candidate(2, 0, 'def total(xs):\n    return sum(list(xs))', 'rejected', 4),
      },
      { type: 'iterationDone', iteration: 2, best: best(1, fast, 2) },
    ]);
    expect(r.view.iterations[0]?.offered).toBe(1);
    expect(r.view.iterations[1]?.offered).toBeUndefined();
  });

  it('says why the original fails its tests', () => {
    const failed: SandboxResult = {
      ...info,
      kind: 'failed',
      tests: { passed: 1, failed: 2 },
      runner: 'pytest',
      failures: [{ test: 'test_a', message: 'boom' }],
    };
    const r = run([
      { type: 'started', sandbox: 'local', isolation: 'x', model: 'm', goal: 'time' },
      { type: 'baseline', result: failed },
    ]);
    expect(r.view.baseline).toMatchObject({ status: 'failed', failures: [{ test: 'test_a', message: 'boom' }] });
    expect(r.view.message).toContain('Tests fail on the original code');
  });

  it('finishes a profile run at its baseline', () => {
    const r = run(
      [
        { type: 'started', sandbox: 'docker', isolation: 'docker', model: '', goal: 'time' },
        { type: 'baseline', result: passed },
      ],
      start('profile'),
    );
    expect(r.view.phase).toBe('profiled');
    expect(r.view.model).toBeUndefined();
    expect(r.view.message).toContain('3 tests passed');
  });

  it('shows the calls recorded of those made and the harness notes with the original measurement', () => {
    const sampled: SandboxResult = {
      ...passed,
      callsMade: 600,
      notes: ['2 calls to total not recorded: a generator argument (it can be consumed only once).'],
    };
    const r = run(
      [
        { type: 'started', sandbox: 'local', isolation: 'x', model: '', goal: 'time' },
        { type: 'baseline', result: sampled },
      ],
      start('profile'),
    );
    expect(r.view.baseline?.notes).toEqual([
      '4 of the 600 calls the tests made were recorded and measured.',
      '2 calls to total not recorded: a generator argument (it can be consumed only once).',
    ]);
    expect(run([{ type: 'baseline', result: passed }], start('profile')).view.baseline?.notes).toBeUndefined();
    const covered = run([{ type: 'baseline', result: { ...sampled, coverage: 0.0412, notes: [] } }], start('profile'))
      .view.baseline?.notes;
    expect(covered).toEqual([
      "4 of the 600 calls the tests made were recorded and measured; they stand for 4.12 % of the tests' time in the function.",
    ]);
  });

  it('says per run of the tests, without a recorded-of-made count, when every figure was timed in place', () => {
    const m = measurement(10);
    const inPlace: SandboxResult = {
      ...passed,
      callsMade: 2,
      coverage: 0,
      notes: ['no call could be recorded, so every figure is from the calls timed in place: …'],
      measurement: {
        ...m,
        calls: 2,
        basis: 'inPlace',
        inPlace: { runtimeMs: m.runtimeMs, calls: 2, tests: 2, coverage: 1, share: 1 },
      },
    };
    const view = run([{ type: 'baseline', result: inPlace }], start('profile')).view.baseline;
    expect(view?.measure).toMatchObject({ calls: 2, basis: 'inPlace' });
    expect(view?.notes).toEqual(['no call could be recorded, so every figure is from the calls timed in place: …']);
    expect(run([{ type: 'baseline', result: passed }], start('profile')).view.baseline?.measure).not.toHaveProperty(
      'basis',
    );
  });

  it('notes a busy machine beside the original figures, and nothing when quiet', () => {
    const busy: SandboxResult = { ...passed, machineLoad: { load1Start: 5.2, load1End: 3, cores: 2 } };
    const view = run([{ type: 'baseline', result: busy }], start('profile')).view.baseline;
    expect(view?.busyNote).toBe('machine busy: load 5.2 on 2 cores — figures may spread more than usual');
    expect(view?.measure?.calls).toBe(4);
    const quiet: SandboxResult = { ...passed, machineLoad: { load1Start: 0.5, load1End: 0.4, cores: 2 } };
    expect(run([{ type: 'baseline', result: quiet }], start('profile')).view.baseline?.busyNote).toBeUndefined();
  });

  it('offers nothing when every candidate of the iteration failed', () => {
    const r = run([
      ...optimizeEvents,
      { type: 'candidateMeasured', candidate: candidate(1, 0, 'def total(xs): return 1', 'rejected') },
      { type: 'candidateMeasured', candidate: candidate(1, 1, 'def total(xs): return 2', 'rejected') },
      { type: 'iterationDone', iteration: 1, best: best(0, original, 10) },
    ]);
    expect(r.view.iterations[0]?.offered).toBeUndefined();
  });

  it('settles unfinished candidates when the run is cancelled or interrupted', () => {
    const cancelled = run([
      ...optimizeEvents,
      { type: 'finished', outcome: 'cancelled', stop: 'cancelled', reason: 'Cancelled.' },
    ]);
    expect(cancelled.view.phase).toBe('cancelled');
    expect(cancelled.view.iterations[0]?.candidates.every((c) => c.verdict === 'rejected')).toBe(true);
    const interrupted = markInterrupted(run(optimizeEvents), 5000);
    expect(interrupted.view.phase).toBe('interrupted');
    expect(markInterrupted(cancelled, 5000)).toBe(cancelled);
  });

  it('keeps one applied iteration at a time', () => {
    const r = run([
      ...optimizeEvents,
      { type: 'candidateMeasured', candidate: candidate(1, 1, fast, 'accepted', 4) },
      { type: 'iterationDone', iteration: 1, best: best(1, fast, 4) },
      { type: 'iterationStarted', iteration: 2 },
      { type: 'candidateMeasured', candidate: candidate(2, 0, fast + ' ', 'accepted', 3) },
      { type: 'iterationDone', iteration: 2, best: best(2, fast + ' ', 3) },
    ]);
    const a = decideIteration(r, 1, 'applied', fast);
    const b = decideIteration(a, 2, 'applied', fast + ' ');
    expect(b.view.iterations.map((it) => it.decision)).toEqual(['undecided', 'applied']);
    expect(b.appliedCode).toBe(fast + ' ');
    expect(decideIteration(b, 1, 'dismissed').view.iterations.map((it) => it.decision)).toEqual([
      'dismissed',
      'applied',
    ]);
  });
});

describe('the interpreter a Python run used', () => {
  it('is named with its origin from the start, and with what ran once the baseline reports it', () => {
    const started = startRun({
      id: 'run2',
      kind: 'profile',
      fileLabel: 'pkg/stats.py',
      startedAt: 1000,
      source: start().source,
      interpreterOrigin: "the project's .venv",
    });
    expect(started.view).toMatchObject({ interpreterOrigin: "the project's .venv" });
    expect(started.view.interpreter).toBeUndefined();
    const profiled = reduceRun(
      started,
      { type: 'baseline', result: { ...passed, interpreter: '/p/.venv/bin/python3 (3.11.7)' } },
      { now: 2000 },
    );
    expect(profiled.view).toMatchObject({
      interpreter: '/p/.venv/bin/python3 (3.11.7)',
      interpreterOrigin: "the project's .venv",
    });
  });
});
