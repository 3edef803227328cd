import { describe, expect, it } from 'vitest';
import type { Measurement, SandboxResult } from '../../src/core/sandboxTypes';
import { formatProfileText, toProfileJson } from '../../src/cli/profileJson';

const subject = { language: 'python' as const, functionName: 'equal_pairs' };

function passed(extra: Partial<Measurement>): SandboxResult {
  return {
    sandbox: 'local',
    isolation: 'local: bwrap',
    wallMs: 100,
    output: '',
    kind: 'passed',
    tests: { passed: 1, failed: 0 },
    runner: 'pytest',
    measurement: {
      runtimeMs: { median: 1, min: 1, mean: 1, cv: 0.01, samples: 5, values: [1] },
      peakMemoryKb: 1,
      integralKbMs: 1,
      calls: 1,
      ...extra,
    },
  };
}

const quadratic = [200, 400, 800, 1600, 3200].map((n) => ({
  size: n,
  runtimeMs: 1e-5 * n * n,
  peakMemoryKb: 0.01 * n,
}));

describe('profile JSON with --sizes', () => {
  it('holds the fitted time and memory classes and the points', () => {
    const json = toProfileJson(passed({ sizes: quadratic }), subject);
    expect(json.complexity?.time).toMatchObject({ class: 'n^2', label: 'n²' });
    expect(json.complexity?.memory).toMatchObject({ class: 'n', label: 'n' });
    expect(json.complexity?.points).toEqual(
      quadratic.map((p) => ({ size: p.size, runtime_ms: p.runtimeMs, peak_memory_kb: p.peakMemoryKb })),
    );
    expect(json.sizes_error).toBeUndefined();
  });

  it('says null with a reason when there are too few sizes to tell classes apart', () => {
    const json = toProfileJson(passed({ sizes: quadratic.slice(0, 2) }), subject);
    expect(json.complexity?.time).toEqual({ class: null, reason: 'need at least 4 distinct sizes, got 2' });
  });

  it('prints the class in the human summary, and why sizes were not measured when they were not', () => {
    expect(formatProfileText(toProfileJson(passed({ sizes: quadratic }), subject))).toMatch(
      /growth\s+time ≈ n² \(fit within \d+ %\), memory ≈ n/,
    );
    const failedGenerator = toProfileJson(
      passed({ sizesError: 'afterburner_inputs(200) failed: KeyError: 3' }),
      subject,
    );
    expect(failedGenerator.complexity).toBeUndefined();
    expect(failedGenerator.sizes_error).toBe('afterburner_inputs(200) failed: KeyError: 3');
    expect(formatProfileText(failedGenerator)).toContain(
      'growth    not measured: afterburner_inputs(200) failed: KeyError: 3',
    );
  });
});
