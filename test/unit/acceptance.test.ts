import { describe, expect, it } from 'vitest';
import { decideAcceptance, sideBySideSpeedFactor } from '../../src/core/acceptance';
import type { Measurement } from '../../src/core/sandboxTypes';

function measured(values: number[], peakMemoryKb = 100, integralKbMs = 1000): Measurement {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  return {
    runtimeMs: { median, min: sorted[0] as number, mean: median, cv: 0.02, samples: values.length, values },
    peakMemoryKb,
    integralKbMs,
    calls: 3,
  };
}

const around = (center: number, spread = 0.02): number[] =>
  Array.from({ length: 20 }, (_, k) => center * (1 + spread * Math.sin(k * 1.7)));

describe('decideAcceptance for time', () => {
  const best = measured(around(10));

  it('accepts a clearly faster candidate and says how much faster', () => {
    const d = decideAcceptance('time', best, measured(around(5)));
    expect(d.kind).toBe('accept');
    expect(d.reason).toMatch(/^accepted: 2\.0\d× faster \(p < 0\.001\)$/);
  });

  it('rejects a slower candidate', () => {
    const d = decideAcceptance('time', best, measured(around(12)));
    expect(d.kind).toBe('reject');
    expect(d.reason).toMatch(/20 % slower/);
  });

  it('rejects a gain below 5 %', () => {
    const d = decideAcceptance('time', best, measured(around(9.7)));
    expect(d.kind).toBe('reject');
    expect(d.reason).toMatch(/3 % faster, below the 5 % threshold/);
  });

  it('rejects a gain within noise, quoting the p-value', () => {
    // Median 8 % lower but the samples overlap heavily.
    const noisyBest = measured([10, 6, 14, 9, 11, 7, 13, 10, 12, 8]);
    const noisyCandidate = measured([9.2, 5, 13, 8.5, 10, 6.5, 12, 9.2, 11, 7]);
    const d = decideAcceptance('time', noisyBest, noisyCandidate);
    expect(d.kind).toBe('reject');
    expect(d.reason).toMatch(/faster, within noise \(p = 0\.\d+\)/);
  });

  it('asks for 10 % when the best runs under 0.01 ms', () => {
    const tiny = measured(around(0.005, 0.001));
    const d = decideAcceptance('time', tiny, measured(around(0.0046, 0.001)));
    expect(d.kind).toBe('reject');
    expect(d.reason).toMatch(/below the 10 % threshold/);
    expect(decideAcceptance('time', tiny, measured(around(0.004, 0.001))).kind).toBe('accept');
  });

  it('rejects when there are no samples to test', () => {
    const d = decideAcceptance('time', measured([10]), measured([5]));
    expect(d.kind).toBe('reject');
    expect(d.reason).toMatch(/within noise/);
  });
});

describe('decideAcceptance for memory and integral', () => {
  it('never takes memory that could not be measured for a gain, and still decides time', () => {
    const unmeasured: Measurement = { ...measured(around(10), 0, 0), memoryUnmeasured: true };
    for (const goal of ['memory', 'integral'] as const) {
      const d = decideAcceptance(goal, measured(around(10), 200), unmeasured);
      expect(d.kind).toBe('reject');
      expect(d.reason).toBe(
        'rejected: the memory of this version could not be measured (see the notes), so no memory gain can be shown',
      );
    }
    expect(decideAcceptance('memory', unmeasured, measured(around(10), 150)).reason).toMatch(
      /of the best so far could/,
    );
    expect(decideAcceptance('time', unmeasured, { ...measured(around(5), 0, 0), memoryUnmeasured: true }).kind).toBe(
      'accept',
    );
  });

  it('accepts 5 % and 8 kB less peak memory', () => {
    const d = decideAcceptance('memory', measured(around(10), 200), measured(around(10), 150));
    expect(d.kind).toBe('accept');
    expect(d.reason).toBe('accepted: 25 % less peak memory (50 kB saved)');
  });
  it('rejects a large relative but tiny absolute saving', () => {
    const d = decideAcceptance('memory', measured(around(10), 10), measured(around(10), 5));
    expect(d.kind).toBe('reject');
    expect(d.reason).toMatch(/below the 5 % and 8 kB threshold/);
  });
  it('rejects more memory', () => {
    expect(decideAcceptance('memory', measured(around(10), 100), measured(around(10), 120)).kind).toBe('reject');
  });
  it('rejects a memory saving bought with a much slower function', () => {
    const d = decideAcceptance('memory', measured(around(10), 200), measured(around(20), 100));
    expect(d.kind).toBe('reject');
    expect(d.reason).toMatch(/slower/);
  });
  it('judges the integral goal on the integral', () => {
    expect(decideAcceptance('integral', measured(around(10), 100, 1000), measured(around(10), 100, 500)).kind).toBe(
      'accept',
    );
    expect(decideAcceptance('integral', measured(around(5), 100, 1000), measured(around(5), 100, 1200)).kind).toBe(
      'reject',
    );
  });
});

describe('decideAcceptance side by side (the best so far measured beside the candidate)', () => {
  // The best's own run, minutes earlier, on a quieter machine: 10 ms.
  const bestRun = measured(around(10));
  /** Pairs drift together through the run (a machine getting busier), with a small per-pair jitter. */
  const drifting = (scale: number, jitter: (k: number) => number): number[] =>
    Array.from({ length: 20 }, (_, k) => scale * (20 + k) * (1 + jitter(k)));
  const reference = measured(drifting(1, (k) => 0.01 * Math.sin(k * 1.3)));

  it("accepts a candidate faster in the pairs though slower than the best's own, earlier run", () => {
    const candidate = measured(drifting(0.7, (k) => 0.01 * Math.cos(k * 2.1)));
    expect(candidate.runtimeMs.median).toBeGreaterThan(bestRun.runtimeMs.median);
    const d = decideAcceptance('time', bestRun, candidate, reference);
    expect(d.kind).toBe('accept');
    expect(d.reason).toMatch(
      /^accepted: 1\.4\d× faster than the best so far in a side-by-side measurement \(p < 0\.001\)$/,
    );
    expect(d.gain).toBeCloseTo(0.3, 1);
  });

  it("rejects the same code measured beside itself, however much faster than the best's own run", () => {
    const quiet = (scale: number): number[] =>
      Array.from({ length: 20 }, (_, k) => scale * (1 + 0.02 * Math.sin(k * 1.7 + scale)));
    const d = decideAcceptance('time', bestRun, measured(quiet(5)), measured(quiet(5.01)));
    expect(d.kind).toBe('reject');
    expect(d.reason).toMatch(/in a side-by-side measurement/);
  });

  it('rejects a candidate slower in the pairs', () => {
    const d = decideAcceptance('time', bestRun, measured(drifting(1.25, () => 0)), reference);
    expect(d.kind).toBe('reject');
    expect(d.reason).toMatch(/^rejected: 2\d % slower than the best so far in a side-by-side measurement$/);
  });

  it('rejects a gain below 5 % even when every pair agrees', () => {
    const d = decideAcceptance('time', bestRun, measured(drifting(0.97, () => 0)), reference);
    expect(d.kind).toBe('reject');
    expect(d.reason).toMatch(
      /3(\.\d)? % faster than the best so far in a side-by-side measurement, below the 5 % threshold/,
    );
  });

  it('rejects a median gain the pairs do not agree on, quoting the sign test', () => {
    // 11 pairs 20 % faster, 9 pairs 10 % slower: the median ratio says faster, the pairs say coin flip.
    const candidate = measured(reference.runtimeMs.values.map((v, k) => v * (k % 2 === 0 || k === 19 ? 0.8 : 1.1)));
    const d = decideAcceptance('time', bestRun, candidate, reference);
    expect(d.kind).toBe('reject');
    expect(d.reason).toMatch(/faster than the best so far in a side-by-side measurement, within noise \(p = 0\.\d+\)/);
  });

  it("falls back to the best's own run when the samples are not paired", () => {
    const unpaired = measured(around(10).slice(0, 12));
    const d = decideAcceptance('time', bestRun, measured(around(5)), unpaired);
    expect(d.reason).toMatch(/^accepted: 2\.0\d× faster \(p < 0\.001\)$/);
    expect(sideBySideSpeedFactor(measured(around(5)), unpaired)).toBeUndefined();
  });

  it('judges memory against the reference measured beside the candidate', () => {
    const d = decideAcceptance(
      'memory',
      measured(around(10), 100),
      measured(
        drifting(1, () => 0),
        150,
      ),
      measured(
        drifting(1, () => 0),
        200,
      ),
    );
    expect(d.kind).toBe('accept');
    expect(d.reason).toBe('accepted: 25 % less peak memory (50 kB saved) in a side-by-side measurement');
    const slower = decideAcceptance(
      'memory',
      measured(around(10), 200),
      measured(
        drifting(1.5, () => 0),
        100,
      ),
      measured(
        drifting(1, () => 0),
        200,
      ),
    );
    expect(slower.kind).toBe('reject');
    expect(slower.reason).toMatch(/less peak memory but 50 % slower in a side-by-side measurement/);
  });

  it('judges the integral against the reference measured beside the candidate', () => {
    const same = drifting(1, () => 0);
    expect(
      decideAcceptance('integral', measured(around(10), 100, 100), measured(same, 100, 500), measured(same, 100, 1000))
        .kind,
    ).toBe('accept');
    expect(
      decideAcceptance(
        'integral',
        measured(around(10), 100, 5000),
        measured(same, 100, 1200),
        measured(same, 100, 1000),
      ).kind,
    ).toBe('reject');
  });

  it('reports the speed factor over the reference from the pairs', () => {
    expect(sideBySideSpeedFactor(measured(drifting(0.5, () => 0)), measured(drifting(1, () => 0)))).toBeCloseTo(2, 9);
  });
});

describe('decideAcceptance on calls timed in place (the replays leave out the calls that take the time)', () => {
  const bestRun = measured(around(0.0005));
  /** A measurement whose replayed 4-item call takes `replayMs` and whose in-place runs take `inPlaceMs`. */
  const withInPlace = (replayMs: number, inPlaceMs: number, share: number, length = 12): Measurement => {
    const base = measured(around(replayMs));
    const runs = measured(Array.from({ length }, (_, k) => inPlaceMs * (1 + 0.03 * Math.sin(k * 1.9))));
    return { ...base, inPlace: { runtimeMs: runs.runtimeMs, calls: 1, tests: 1, coverage: 1, share } };
  };

  it('decides on the in-place runs when the calls left out hold most of the time', () => {
    // The 600,000-item call runs 3.5× faster; the replayed 4-item call is a few percent slower.
    const d = decideAcceptance('time', bestRun, withInPlace(0.00052, 2.3, 0.9998), withInPlace(0.0005, 8.1, 0.9998));
    expect(d.kind).toBe('accept');
    expect(d.reason).toMatch(
      /^accepted: 3\.\d\d× faster than the best so far side by side on the calls timed in place, where the tests make them \(p < 0\.001\)$/,
    );
    expect(sideBySideSpeedFactor(withInPlace(0.00052, 2.3, 0.9998), withInPlace(0.0005, 8.1, 0.9998))).toBeGreaterThan(
      3,
    );
  });

  it('rejects a candidate the replays call faster when it is slower where the tests make the calls', () => {
    const d = decideAcceptance('time', bestRun, withInPlace(0.0002, 9.5, 0.9998), withInPlace(0.0005, 8.1, 0.9998));
    expect(d.kind).toBe('reject');
    expect(d.reason).toMatch(/slower than the best so far side by side on the calls timed in place/);
  });

  it('keeps to the replays when they hold most of the time, or when the in-place runs are not paired', () => {
    const minor = decideAcceptance('time', bestRun, withInPlace(0.0002, 9.5, 0.2), withInPlace(0.0005, 8.1, 0.2));
    expect(minor.reason).toMatch(/in a side-by-side measurement/);
    const unpaired = decideAcceptance(
      'time',
      bestRun,
      withInPlace(0.0002, 9.5, 0.9998, 10),
      withInPlace(0.0005, 8.1, 0.9998, 12),
    );
    expect(unpaired.reason).toMatch(/in a side-by-side measurement/);
  });
});
