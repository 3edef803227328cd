import { describe, expect, it } from 'vitest';
import type { SandboxResult } from '../../src/core/sandboxTypes';
import { formatProfileText, toProfileJson } from '../../src/cli/profileJson';
import { withSaneNoise } from '../../src/adapters/harnessReport';
import { readCpuTimes, withMachineLoad } from '../../src/adapters/machineLoad';

const info = { sandbox: 'local' as const, isolation: 'local: bwrap', wallMs: 300, output: '' };
const subject = { language: 'python' as const, functionName: 'compare' };

function passed(load: SandboxResult['machineLoad'], retaken: number, waitShare: number): SandboxResult {
  return {
    ...info,
    kind: 'passed',
    tests: { passed: 2, failed: 0 },
    runner: 'pytest',
    ...(load ? { machineLoad: load } : {}),
    measurement: {
      runtimeMs: {
        median: 0.0372,
        p10: 0.0363,
        min: 0.036,
        mean: 0.038,
        cv: 0.03,
        samples: 30,
        values: [],
        retaken,
        waitShare,
      },
      peakMemoryKb: 1,
      integralKbMs: 0.01,
      calls: 3,
    },
  };
}

describe('profile noise and per-call runtime', () => {
  it('says per call beside per round in JSON and text', () => {
    const json = toProfileJson(passed({ load1Start: 0.3, load1End: 0.2, cores: 2 }, 0, 0), subject);
    expect(json.runtime_ms?.median).toBe(0.0372);
    expect(json.runtime_per_call_ms?.median).toBeCloseTo(0.0124, 10);
    expect(json.runtime_per_call_ms?.min).toBeCloseTo(0.012, 10);
    // The figure separate profiles compare by, beside the median.
    expect(json.runtime_ms?.p10).toBe(0.0363);
    expect(json.runtime_per_call_ms?.p10).toBeCloseTo(0.0121, 10);
    expect(formatProfileText(json)).toContain(
      '12.4 µs per call (3 recorded calls; 37.2 µs per round) ± 3.0 % (median of 30 samples, 10th percentile 12.1 µs per call, min 12.0 µs per call)',
    );
  });

  it('has the noise object always, and the busy line only when busy', () => {
    const quiet = toProfileJson(passed({ load1Start: 0.3, load1End: 0.2, cores: 2, stealShare: 0 }, 1, 0.01), subject);
    expect(quiet.noise).toEqual({
      busy: false,
      load1: 0.3,
      cores: 2,
      steal_share: 0,
      throttled_share: null,
      samples_retaken: 1,
      wait_share: 0.01,
      reasons: [],
    });
    expect(formatProfileText(quiet)).not.toContain('busy');

    const busy = toProfileJson(passed({ load1Start: 5.2, load1End: 4.1, cores: 2 }, 8, 0.01), subject);
    expect(busy.noise).toMatchObject({ busy: true, load1: 5.2, steal_share: null, samples_retaken: 8 });
    expect(formatProfileText(busy)).toContain(
      'machine busy: load 5.2 on 2 cores, 8 of 30 samples taken again — figures may spread more than usual',
    );
  });

  it('has a noise object with nulls when nothing was measured', () => {
    const json = toProfileJson({ ...info, kind: 'timeout', limitMs: 1000 }, subject);
    expect(json.noise).toEqual({
      busy: false,
      load1: null,
      cores: null,
      steal_share: null,
      throttled_share: null,
      samples_retaken: null,
      wait_share: null,
      reasons: [],
    });
    expect(json.runtime_per_call_ms).toBeUndefined();
  });
});

describe('noise figures from the sandbox', () => {
  it('keeps only sane retake counts and wait shares from a harness report', () => {
    const result = passed(undefined, 3, 0.2);
    if (result.kind !== 'passed' || !result.measurement) throw new Error('fixture');
    expect(withSaneNoise(result.measurement).runtimeMs).toMatchObject({ retaken: 3, waitShare: 0.2 });
    const bad = { ...result.measurement, runtimeMs: { ...result.measurement.runtimeMs, retaken: 99, waitShare: -1 } };
    const kept = withSaneNoise(bad).runtimeMs;
    expect(kept).not.toHaveProperty('retaken');
    expect(kept).not.toHaveProperty('waitShare');
  });

  it('reads total and steal jiffies from /proc/stat text', () => {
    const stat = 'cpu  100 5 50 800 10 2 3 30 0 0\ncpu0 50 2 25 400 5 1 1 15 0 0\n';
    expect(readCpuTimes(stat)).toEqual({ total: 1000, steal: 30 });
    expect(readCpuTimes('intr 1 2 3\n')).toBeUndefined();
  });

  it('stamps every result of a wrapped sandbox with the load of the host', async () => {
    const inner = {
      describe: () => ({ sandbox: 'local' as const, isolation: 'x' }),
      run: () => Promise.resolve(passed(undefined, 0, 0)),
      dispose: () => Promise.resolve(),
    };
    const result = await withMachineLoad(inner).run({} as never);
    expect(result.machineLoad?.cores).toBeGreaterThan(0);
    expect(result.machineLoad?.load1Start).toBeGreaterThanOrEqual(0);
    expect(result.machineLoad?.load1End).toBeGreaterThanOrEqual(0);
  });
});
