import { describe, expect, it } from 'vitest';
import { bootstrapMeanInterval, seededRandom } from '../../src/core/bootstrap';
import {
  beyond,
  figuresOf,
  iterationCurve,
  percentile,
  robustCv,
  scoreProblem,
  speedupVsMedianReference,
  summarize,
  withinNoise,
  DEFAULT_TIE_RULE,
} from '../../src/core/evalMetrics';
import type { CodeOutcome, Figures, ProblemResult, ProblemScores } from '../../src/core/evalTypes';
import type { Measurement } from '../../src/core/sandboxTypes';

function fig(runtimeMs: number, peakMemoryKb = 100, integralKbMs = 1000, runtimeCv = 0.01): Figures {
  return { runtimeMs, runtimeCv, peakMemoryKb, integralKbMs };
}

function measured(runtimeMs: number, peakMemoryKb = 100, integralKbMs = 1000, cv = 0.01): Measurement {
  return {
    runtimeMs: { median: runtimeMs, min: runtimeMs, mean: runtimeMs, cv, samples: 10, values: [runtimeMs] },
    peakMemoryKb,
    integralKbMs,
    calls: 3,
  };
}

const passed = (runtimeMs: number, mem = 100, integral = 1000, cv = 0.01): CodeOutcome => ({
  kind: 'passed',
  measurement: measured(runtimeMs, mem, integral, cv),
});
const failed: CodeOutcome = { kind: 'failed', status: 'failed', message: 'assertion' };

// Four references: 10, 20, 30, 40 ms; memory 400, 300, 200, 100 kB; integral 4000..1000.
const refs = [fig(10, 400, 4000), fig(20, 300, 3000), fig(30, 200, 2000), fig(40, 100, 1000)];

describe('percentile metrics (Time% / Memory% / Integral%)', () => {
  it('counts the share of references beaten or tied', () => {
    expect(percentile(fig(25), refs, 'time')).toBe(0.5);
    expect(percentile(fig(5), refs, 'time')).toBe(1);
    expect(percentile(fig(50), refs, 'time')).toBe(0);
    expect(percentile(fig(1, 250), refs, 'memory')).toBe(0.5);
    expect(percentile(fig(1, 100, 1500), refs, 'integral')).toBe(0.75);
  });

  it('never lets a copy of a reference lose to it by noise', () => {
    // The copy measured 3 % slower with 2 % CV: within k·cv, so it ties the reference it copies.
    expect(percentile(fig(30.9, 200, 2000, 0.02), refs, 'time')).toBe(0.5);
    expect(percentile(fig(10.2, 400, 4000, 0.001), refs, 'time')).toBe(1);
  });

  it('does not count a real loss as a tie', () => {
    expect(withinNoise(12, 10, 0.01, 0.01, DEFAULT_TIE_RULE)).toBe(false);
    expect(withinNoise(10.15, 10, 0.001, 0.001, DEFAULT_TIE_RULE)).toBe(true); // 2 % floor
  });
});

describe("Mercury's Beyond", () => {
  it('is (max − r) / (max − min) inside the reference range', () => {
    expect(beyond(fig(25), refs)).toBeCloseTo(0.5, 10);
    expect(beyond(fig(16), refs)).toBeCloseTo(0.8, 10);
  });
  it('clips to [0, 1] outside the range', () => {
    expect(beyond(fig(2), refs)).toBe(1);
    expect(beyond(fig(80), refs)).toBe(0);
  });
  it('gives 1 to a copy of the fastest reference measured slightly slower', () => {
    expect(beyond(fig(10.1), refs)).toBe(1);
  });
});

describe('scoreProblem', () => {
  it('scores a failure 0 everywhere and no speed-up', () => {
    expect(scoreProblem(failed, refs)).toEqual({
      passed: false,
      timePct: 0,
      memoryPct: 0,
      integralPct: 0,
      beyond: 0,
      speedup: null,
    });
  });
  it('is undefined when no reference passed', () => {
    expect(scoreProblem(passed(5), [])).toBeNull();
  });
  it('reports the speed-up against the median reference', () => {
    const s = scoreProblem(passed(5, 150, 2500), refs) as ProblemScores;
    expect(s).toMatchObject({ passed: true, timePct: 1, memoryPct: 0.75, integralPct: 0.5, beyond: 1 });
    expect(s.speedup).toBeCloseTo(25 / 5, 10);
    expect(speedupVsMedianReference(fig(50), refs)).toBeCloseTo(0.5, 10);
  });
});

function result(id: string, answer: CodeOutcome, references: Figures[]): ProblemResult {
  return {
    id,
    language: 'python',
    referencesPassed: references.length,
    referencesTotal: references.length,
    references: [],
    answer: { outcome: answer, code: '' },
    differential: { kind: 'not_run', reason: 'test' },
    scores: scoreProblem(answer, references),
    wallMs: 0,
  };
}

describe('summarize', () => {
  it('averages over problems; problems without references count only for pass@1', () => {
    const results = [
      result('fast', passed(5), refs), // time 1, beyond 1
      result('mid', passed(25), refs), // time 0.5, beyond 0.5
      result('wrong', failed, refs), // 0
      result('unreferenced', passed(1), []),
    ];
    const s = summarize(results, seededRandom(1));
    expect(s.problems).toBe(4);
    expect(s.pass_at_1).toBe(0.75);
    expect(s.time_pct).toBeCloseTo(0.5, 10);
    expect(s.beyond).toBeCloseTo(0.5, 10);
    expect(s.problems_without_references).toBe(1);
    expect(s.speedup).toBeCloseTo(Math.sqrt((25 / 5) * (25 / 25)), 10);
    for (const key of ['pass_at_1', 'time_pct', 'memory_pct', 'integral_pct', 'beyond'] as const) {
      expect(s.ci[key].low).toBeLessThanOrEqual(s[key]);
      expect(s.ci[key].high).toBeGreaterThanOrEqual(s[key]);
      expect(s.ci[key].low).toBeGreaterThanOrEqual(0);
      expect(s.ci[key].high).toBeLessThanOrEqual(1);
    }
  });

  it('gives reproducible intervals for the same injected random source', () => {
    const values = [0, 1, 1, 0.5, 0.25, 1, 0];
    expect(bootstrapMeanInterval(values, seededRandom(7))).toEqual(bootstrapMeanInterval(values, seededRandom(7)));
    const wide = bootstrapMeanInterval(values, seededRandom(7));
    expect(wide.high - wide.low).toBeGreaterThan(0.2);
    const flat = bootstrapMeanInterval([0.4, 0.4, 0.4], seededRandom(3));
    expect(flat.low).toBeCloseTo(0.4, 12);
    expect(flat.high).toBeCloseTo(0.4, 12);
  });
});

describe('iterationCurve', () => {
  it('scores each problem by its best code so far at each iteration', () => {
    const a = {
      ...result('a', passed(25), refs),
      iterations: [
        { iteration: 0, scores: scoreProblem(failed, refs) as ProblemScores },
        { iteration: 2, scores: scoreProblem(passed(5), refs) as ProblemScores },
      ],
    };
    const b = {
      ...result('b', passed(25), refs),
      iterations: [{ iteration: 0, scores: scoreProblem(passed(25), refs) as ProblemScores }],
    };
    const curve = iterationCurve([a, b]);
    expect(curve.map((p) => [p.iteration, p.pass_at_1, p.time_pct])).toEqual([
      [0, 0.5, 0.25],
      [1, 0.5, 0.25],
      [2, 1, 0.75],
    ]);
  });
});

describe('noise', () => {
  it('gives a copy of a reference that reference’s figures, so run-to-run noise cannot make it lose', () => {
    // The copy of the 30 ms reference was measured 40 % slower in its own run.
    const s = scoreProblem(passed(42, 260, 2600, 0.001), refs, DEFAULT_TIE_RULE, 2) as ProblemScores;
    expect(s.timePct).toBe(0.5);
    expect(s.memoryPct).toBe(0.75);
    expect(s.beyond).toBeCloseTo(1 / 3, 10);
  });

  it('uses the robust CV so one preempted sample does not make everything tie', () => {
    const values = [10, 10.1, 9.9, 10.05, 9.95, 10, 200];
    const m: Measurement = {
      runtimeMs: { median: 10, min: 9.9, mean: 37, cv: 1.9, samples: 7, values },
      peakMemoryKb: 1,
      integralKbMs: 1,
      calls: 1,
    };
    expect(robustCv(m)).toBeLessThan(0.02);
    expect(percentile(figuresOf(m), [fig(5, 1, 1, 0.01)], 'time')).toBe(0);
  });
});
