import { describe, expect, it } from 'vitest';
import { decideAcceptance } from '../../src/core/acceptance';
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

const around = (center: number, spread = 0.02): number[] => Array.from({ length: 20 }, (_, k) => center * (1 + spread * Math.sin(k * 1.7)));

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
    expect(decideAcceptance('integral', measured(around(10), 100, 1000), measured(around(10), 100, 500)).kind).toBe('accept');
    expect(decideAcceptance('integral', measured(around(5), 100, 1000), measured(around(5), 100, 1200)).kind).toBe('reject');
  });
});
