import { describe, expect, it } from 'vitest';
import { growthChange } from '../../src/core/growthRun';
import type { BestSoFar, CandidateReport, LoopEvent } from '../../src/core/loopTypes';
import type { Measurement, SandboxResult, SizePoint } from '../../src/core/sandboxTypes';
import {
  reduceGrowth,
  reduceRun,
  refreshWords,
  startRun,
  summarizeRun,
  type GrowthAction,
  type RunRecord,
} from '../../src/panel/panelState';

const original = 'def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s';
const fast = 'def total(xs):\n    return sum(xs)';

function measurement(median: number, peak: number, sizes?: readonly SizePoint[]): Measurement {
  const values = [median * 0.9, median, median * 1.1];
  return {
    runtimeMs: { median, min: values[0] ?? median, mean: median, cv: 0.05, samples: 3, values },
    peakMemoryKb: peak,
    integralKbMs: peak * median,
    calls: 4,
    ...(sizes ? { sizes } : {}),
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

function accepted(speedup: number, memoryRatio: number | undefined, explanation?: CandidateReport['explanation']) {
  const report: CandidateReport = {
    iteration: 1,
    index: 1,
    code: fast,
    status: 'passed',
    verdict: { kind: 'accepted', reason: 'accepted: faster' },
    measurement: measurement(10 / speedup, 20 / (memoryRatio ?? 1)),
    speedup,
    ...(memoryRatio === undefined ? {} : { memoryRatio }),
    integralRatio: 1,
    ...(explanation ? { explanation } : {}),
  };
  return report;
}

function bestOf(report: CandidateReport): BestSoFar {
  return {
    iteration: report.iteration,
    code: report.code,
    moduleText: report.code,
    measurement: report.measurement ?? measurement(1, 1),
    speedup: report.speedup ?? 1,
    memoryRatio: report.memoryRatio ?? 1,
    integralRatio: report.integralRatio ?? 1,
  };
}

/** A finished run whose iteration 1 offers `report` as the best. */
function improved(report: CandidateReport): RunRecord {
  const best = bestOf(report);
  return run([
    { type: 'iterationStarted', iteration: 1 },
    { type: 'candidateMeasured', candidate: report },
    { type: 'iterationDone', iteration: 1, best },
    { type: 'finished', outcome: 'improved', stop: 'completed', reason: 'Improved.', best },
  ]);
}

describe('the panel in words', () => {
  it('says which way memory went and shows the explanation beside the candidate', () => {
    // 20 kB → 110 kB: the ratio 0.18 used to read "×0.18 memory".
    const view = run([
      { type: 'iterationStarted', iteration: 1 },
      {
        type: 'candidateMeasured',
        candidate: accepted(251, 20 / 110, {
          model: 'sum() runs in C.',
          measured: ['The original spent 90 % of its time on line 4 (`s += x`).'],
        }),
      },
    ]).view;
    const candidate = view.iterations[0]?.candidates[0];
    expect(candidate?.changeWords).toBe('251× faster, peak memory 5.5× higher');
    expect(candidate?.explanation).toEqual({
      model: 'sum() runs in C.',
      measured: ['The original spent 90 % of its time on line 4 (`s += x`).'],
    });
  });

  it('says the speed in words when a candidate has no memory ratio', () => {
    const view = run([
      { type: 'iterationStarted', iteration: 1 },
      { type: 'candidateMeasured', candidate: accepted(2.4, undefined) },
    ]).view;
    expect(view.iterations[0]?.candidates[0]?.changeWords).toBe('2.4× faster');
  });

  it('lists past runs with the best change in words, memory up or down', () => {
    expect(summarizeRun(improved(accepted(251, 20 / 110)).view).bestWords).toBe('251× faster, peak memory 5.5× higher');
    expect(summarizeRun(improved(accepted(2.4, 100 / 38)).view).bestWords).toBe('2.4× faster, peak memory 62 % lower');
  });

  it('gives a run stored without words (an older version) its words when it is reopened', () => {
    const stored = improved(accepted(251, 20 / 110));
    const { changeWords: _c, ...candidate } = stored.view.iterations[0]?.candidates[0] ?? { index: 0 };
    const { changeWords: _b, ...best } = stored.view.best ?? { iteration: 0 };
    const old = {
      ...stored,
      view: {
        ...stored.view,
        best,
        iterations: stored.view.iterations.map((it) => ({ ...it, candidates: [candidate] })),
      },
    } as RunRecord;
    const reopened = refreshWords(JSON.parse(JSON.stringify(old)) as RunRecord).view;
    expect(reopened.iterations[0]?.candidates[0]?.changeWords).toBe('251× faster, peak memory 5.5× higher');
    expect(reopened.best?.changeWords).toBe('251× faster, peak memory 5.5× higher');
  });
});

describe('why the best is faster, once growth is measured', () => {
  const SIZES = [100, 200, 400, 800, 1600];
  const info = { sandbox: 'local' as const, isolation: 'bwrap', wallMs: 50, output: '' };
  const grown = (power: number, c: number): SandboxResult => ({
    ...info,
    kind: 'passed',
    tests: { passed: 2, failed: 0 },
    runner: 'pytest',
    measurement: measurement(
      1,
      10,
      SIZES.map((n) => ({ size: n, runtimeMs: 0.001 + c * n ** power, peakMemoryKb: 0.05 * n })),
    ),
  });
  const started: GrowthAction = {
    type: 'growthStarted',
    sizes: SIZES,
    versions: [
      { version: 'original', label: 'Original' },
      { version: 'best', label: 'Iteration 1' },
    ],
  };
  const hot = 'The original spent 90 % of its time on line 4 (`s += x`).';

  it('leads the best candidate’s measured explanation with the growth change, in the CLI’s words', () => {
    const originalGrowth = grown(2, 1e-5);
    const bestGrowth = grown(1, 1e-3);
    const onlyOriginal = [
      started,
      { type: 'growthMeasured', version: 'original', result: originalGrowth } as const,
    ].reduce(reduceGrowth, improved(accepted(50, 1, { model: 'sum() runs in C.', measured: [hot] })));
    expect(onlyOriginal.view.iterations[0]?.candidates[0]?.explanation?.measured).toEqual([hot]);
    const record = [
      { type: 'growthMeasured', version: 'best', result: bestGrowth } as const,
      { type: 'growthEnded', outcome: 'done' } as const,
    ].reduce(reduceGrowth, onlyOriginal);
    const explanation = record.view.iterations[0]?.candidates[0]?.explanation;
    const words = 'time ≈ n² → n, memory ≈ n in both (fitted over input sizes 100, 200, 400, 800, 1600)';
    expect(explanation).toEqual({ model: 'sum() runs in C.', measured: [words, hot] });
    // The CLI's "explanation" of the best says the same.
    expect(growthChange(originalGrowth, bestGrowth)).toBe(words);
  });
});
