import { describe, expect, it } from 'vitest';
import type { CandidateReport, LoopEvent } from '../../src/core/loopTypes';
import type { Measurement } from '../../src/core/sandboxTypes';
import { reduceRun, startRun, type RunRecord } from '../../src/panel/panelState';

const original = 'def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s';
const fast = 'def total(xs):\n    return sum(xs)';

function measurement(median: number, peak: number): Measurement {
  const values = [median * 0.9, median, median * 1.1];
  return {
    runtimeMs: { median, min: values[0] ?? median, mean: median, cv: 0.05, samples: 3, values },
    peakMemoryKb: peak,
    integralKbMs: peak * median,
    calls: 4,
  };
}

function run(events: LoopEvent[]): RunRecord {
  let record = startRun({
    id: 'r',
    kind: 'optimize',
    fileLabel: 'stats.py',
    startedAt: 0,
    source: {
      documentUri: 'file:///stats.py',
      target: 'total',
      language: 'python',
      originalCode: original,
      indent: '',
      testUris: [],
    },
  });
  for (const event of events) record = reduceRun(record, event, { now: 1 });
  return record;
}

describe('the panel in words', () => {
  it('says which way memory went and shows the explanation beside the candidate', () => {
    // 20 kB → 110 kB: the ratio 0.18 used to read "×0.18 memory".
    const report: CandidateReport = {
      iteration: 1,
      index: 1,
      code: fast,
      status: 'passed',
      verdict: { kind: 'accepted', reason: 'accepted: 251× faster' },
      measurement: measurement(0.04, 110),
      speedup: 251,
      memoryRatio: 20 / 110,
      integralRatio: 1,
      explanation: {
        model: 'sum() runs in C.',
        measured: ['The original spent 90 % of its time on line 4 (`s += x`).'],
      },
    };
    const view = run([
      { type: 'iterationStarted', iteration: 1 },
      { type: 'candidateMeasured', candidate: report },
    ]).view;
    const candidate = view.iterations[0]?.candidates[0];
    expect(candidate?.changeWords).toBe('251× faster, peak memory 5.5× higher');
    expect(candidate?.explanation).toEqual({
      model: 'sum() runs in C.',
      measured: ['The original spent 90 % of its time on line 4 (`s += x`).'],
    });
  });
});
