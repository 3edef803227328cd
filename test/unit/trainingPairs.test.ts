import { describe, expect, it } from 'vitest';
import { languageOf } from '../../src/languages/registry';
import type { LoopEvent, OptimizeRequest } from '../../src/core/loopTypes';
import type { Measurement } from '../../src/core/sandboxTypes';
import {
  dpoLine,
  grpoReward,
  pairsFromRecord,
  parseHistoryLine,
  runHistoryRecord,
  sftLine,
  type AttemptFigures,
  type RunHistoryRecord,
} from '../../src/core/trainingPairs';

const f = (runtimeMs: number, peakMemoryKb = 100, integralKbMs = 1000, runtimeCv = 0.01): AttemptFigures => ({
  runtimeMs,
  runtimeCv,
  peakMemoryKb,
  integralKbMs,
});

const record: RunHistoryRecord = {
  version: 1,
  id: 'r1',
  at: '2025-01-01T00:00:00.000Z',
  source: 'cli',
  language: 'python',
  target: 'total',
  goal: 'time',
  task: 'Sum the list.',
  attempts: [
    {
      iteration: 0,
      index: 0,
      code: 'def total(xs):\n    s = 0\n    for x in xs: s += x\n    return s',
      status: 'passed',
      figures: f(10),
    },
    { iteration: 1, index: 0, code: 'def total(xs):\n    return sum(xs)', status: 'passed', figures: f(2) },
    { iteration: 1, index: 1, code: 'def total(xs):\n    return 0', status: 'failed' },
    {
      iteration: 2,
      index: 0,
      code: 'def total(xs):\n    return sum(x for x in xs)',
      status: 'passed',
      figures: f(10.1),
    },
  ],
};

describe('pairsFromRecord', () => {
  it('makes no memory pair with an attempt whose memory could not be measured, and says so in the prompt', () => {
    const [first, second] = record.attempts as [(typeof record.attempts)[0], (typeof record.attempts)[0]];
    const memory: RunHistoryRecord = {
      ...record,
      goal: 'memory',
      attempts: [
        { ...first, figures: f(10, 400) },
        { ...second, figures: { ...f(2, 0, 0), memoryUnmeasured: true } },
      ],
    };
    expect(pairsFromRecord(memory)).toEqual([]);
    const timed = pairsFromRecord({ ...memory, goal: 'time', attempts: [memory.attempts[1]!, memory.attempts[0]!] });
    // Runtime was measured: a time pair still stands.
    expect(timed).toHaveLength(1);
    const slowerUnmeasured = pairsFromRecord({
      ...record,
      attempts: [
        { ...first, figures: { ...f(10, 0, 0), memoryUnmeasured: true } },
        { ...second, figures: f(2) },
      ],
    });
    expect(slowerUnmeasured).toHaveLength(1);
    expect(sftLine(slowerUnmeasured[0]!).prompt).toContain('Measured: runtime 10 ms; memory not measured.');
  });
  it('pairs passing attempts whose goal figures differ beyond noise, slower first', () => {
    const pairs = pairsFromRecord(record);
    expect(pairs.map((p) => [p.slower.iteration, p.faster.iteration, Number(p.gain.toFixed(3))])).toEqual([
      [0, 1, 5],
      [2, 1, 5.05],
    ]);
  });

  it('never uses a failing attempt and never pairs a copy with itself', () => {
    const copy: RunHistoryRecord = {
      ...record,
      attempts: [...record.attempts, { ...record.attempts[1]!, iteration: 3, figures: f(20) }],
    };
    const pairs = pairsFromRecord(copy);
    expect(pairs.every((p) => p.slower.status === 'passed' && p.faster.status === 'passed')).toBe(true);
    expect(pairs.every((p) => p.slower.code !== p.faster.code)).toBe(true);
  });

  it('follows the run goal', () => {
    const memory: RunHistoryRecord = {
      ...record,
      goal: 'memory',
      attempts: [
        { ...record.attempts[0]!, figures: f(10, 500) },
        { ...record.attempts[1]!, figures: f(20, 100) },
      ],
    };
    const [pair, ...rest] = pairsFromRecord(memory);
    expect(rest).toEqual([]);
    expect(pair?.slower.iteration).toBe(0);
    expect(pair?.gain).toBe(5);
  });
});

describe('SFT and DPO lines', () => {
  it('prompts with the slower code and its measurements; the faster code is the target', () => {
    const pair = pairsFromRecord(record)[0]!;
    const sft = sftLine(pair);
    expect(sft.prompt).toContain('Sum the list.');
    expect(sft.prompt).toContain('runtime 10 ms');
    expect(sft.prompt).toContain('for x in xs: s += x');
    expect(sft.completion).toBe('```python\ndef total(xs):\n    return sum(xs)\n```');
    expect(sft.gain).toBe(5);
    const dpo = dpoLine(pair);
    expect(dpo.chosen).toBe(sft.completion);
    expect(dpo.rejected).toContain('for x in xs');
    expect(dpo.prompt).toBe(sft.prompt);
  });
});

describe('grpoReward', () => {
  const pass = (runtimeMs: number) => ({ passed: true as const, figures: f(runtimeMs) });
  it('is −1 for a failing candidate, whatever the baseline', () => {
    expect(grpoReward('time', pass(10), { passed: false })).toBe(-1);
    expect(grpoReward('time', { passed: false }, { passed: false })).toBe(-1);
  });
  it('is +1 for fixing a failing baseline', () => {
    expect(grpoReward('time', { passed: false }, pass(100))).toBe(1);
  });
  it('is the log ratio on the goal, clipped to [−1, 1]', () => {
    expect(grpoReward('time', pass(10), pass(5))).toBeCloseTo(Math.log(2), 12);
    expect(grpoReward('time', pass(5), pass(10))).toBeCloseTo(-Math.log(2), 12);
    expect(grpoReward('time', pass(100), pass(1))).toBe(1);
    expect(grpoReward('time', pass(1), pass(100))).toBe(-1);
    expect(
      grpoReward('memory', { passed: true, figures: f(1, 400) }, { passed: true, figures: f(9, 200) }),
    ).toBeCloseTo(Math.log(2), 12);
  });
  it('is 0 when the goal is memory and either side could not measure it, never "allocated nothing"', () => {
    const unmeasured = { passed: true as const, figures: { ...f(9, 0), memoryUnmeasured: true as const } };
    expect(grpoReward('memory', { passed: true, figures: f(1, 400) }, unmeasured)).toBe(0);
    expect(grpoReward('integral', unmeasured, { passed: true, figures: f(1, 400) })).toBe(0);
    expect(grpoReward('time', pass(10), { passed: true, figures: { ...f(5), memoryUnmeasured: true } })).toBeCloseTo(
      Math.log(2),
      12,
    );
  });
});

describe('history records', () => {
  it('are built from loop events with the original first', () => {
    const m = (ms: number): Measurement => ({
      runtimeMs: { median: ms, min: ms, mean: ms, cv: 0.01, samples: 5, values: [ms] },
      peakMemoryKb: 10,
      integralKbMs: 50,
      calls: 2,
    });
    const request: OptimizeRequest = {
      language: languageOf('python'),
      files: [{ path: 'm.py', content: 'def total(xs): ...' }],
      modulePath: 'm.py',
      testPaths: [],
      target: 'total',
      goal: 'time',
      iterations: 1,
      candidates: 1,
      limits: { timeoutMs: 1000, memoryMb: 256 },
    };
    const events: LoopEvent[] = [
      {
        type: 'baseline',
        result: {
          kind: 'passed',
          tests: { passed: 1, failed: 0 },
          runner: 'unittest',
          measurement: m(10),
          sandbox: 'local',
          isolation: 'x',
          wallMs: 1,
          output: '',
        },
      },
      {
        type: 'candidateMeasured',
        candidate: {
          iteration: 1,
          index: 0,
          code: 'def total(xs): return sum(xs)',
          status: 'passed',
          verdict: { kind: 'accepted', reason: 'ok' },
          measurement: m(2),
        },
      },
    ];
    const rec = runHistoryRecord(request, events, {
      id: 'x',
      at: 'now',
      source: 'cli',
      originalCode: 'def total(xs): ...',
    });
    expect(rec.attempts.map((a) => [a.iteration, a.status, a.figures?.runtimeMs])).toEqual([
      [0, 'passed', 10],
      [1, 'passed', 2],
    ]);
    const line = parseHistoryLine(JSON.stringify(rec));
    expect(line.kind).toBe('record');
    expect(pairsFromRecord(rec)).toHaveLength(1);
    expect(parseHistoryLine('{"version": 9}')).toMatchObject({ kind: 'invalid' });
    expect(parseHistoryLine('nope')).toMatchObject({ kind: 'invalid' });
  });
});
