import { describe, expect, it } from 'vitest';
import { busyNote, noiseFigures, noiseVerdict } from '../../src/core/noise';
import type { RuntimeStats } from '../../src/core/sandboxTypes';

const quiet = { load1: 0.4, cores: 2, stealShare: 0, samples: 30, samplesRetaken: 0, waitShare: 0.001 };

describe('busy-machine verdict', () => {
  it('calls a quiet machine quiet, with no reasons', () => {
    expect(noiseVerdict(quiet)).toMatchObject({ busy: false, reasons: [] });
  });

  it('is busy when the load average is above the core count, not at it', () => {
    expect(noiseVerdict({ ...quiet, load1: 2 }).busy).toBe(false);
    expect(noiseVerdict({ ...quiet, load1: 5.24 })).toMatchObject({ busy: true, reasons: ['load 5.2 on 2 cores'] });
    expect(noiseVerdict({ ...quiet, load1: 1.5, cores: 1 }).reasons).toEqual(['load 1.5 on 1 core']);
    expect(noiseVerdict({ ...quiet, load1: 2.04 }).reasons).toEqual(['load 2.04 on 2 cores']);
  });

  it('is busy when more than 2 % of the CPU was stolen', () => {
    expect(noiseVerdict({ ...quiet, stealShare: 0.02 }).busy).toBe(false);
    expect(noiseVerdict({ ...quiet, stealShare: 0.031 }).reasons).toEqual([
      '3.1 % of the CPU stolen by the hypervisor',
    ]);
  });

  it("is busy when the sandbox's CPU quota throttled it in more than 10 % of its periods", () => {
    expect(noiseVerdict({ ...quiet, throttledShare: 0.1 }).busy).toBe(false);
    expect(noiseVerdict({ ...quiet, throttledShare: 0.91 }).reasons).toEqual([
      "the sandbox's CPU quota throttled it in 91 % of its periods",
    ]);
  });

  it('is busy when more than 10 % of the samples were taken again', () => {
    expect(noiseVerdict({ ...quiet, samplesRetaken: 3 }).busy).toBe(false);
    expect(noiseVerdict({ ...quiet, samplesRetaken: 4 }).reasons).toEqual(['4 of 30 samples taken again']);
  });

  it('is busy when the measuring thread waited for a CPU more than 5 % of the time', () => {
    expect(noiseVerdict({ ...quiet, waitShare: 0.05 }).busy).toBe(false);
    expect(noiseVerdict({ ...quiet, waitShare: 0.2 }).reasons).toEqual([
      'the measuring thread waited for a CPU 20 % of the time',
    ]);
  });

  it('gives every crossed threshold as a reason, in one line', () => {
    const verdict = noiseVerdict({ ...quiet, load1: 5.2, samplesRetaken: 8 });
    expect(verdict.reasons).toEqual(['load 5.2 on 2 cores', '8 of 30 samples taken again']);
    expect(busyNote(verdict.reasons)).toBe(
      'machine busy: load 5.2 on 2 cores, 8 of 30 samples taken again — figures may spread more than usual',
    );
  });

  it('judges only what was measured', () => {
    expect(noiseVerdict({})).toEqual({ busy: false, reasons: [] });
    expect(noiseVerdict({ samplesRetaken: 5 }).busy).toBe(false);
  });
});

describe('noise figures', () => {
  const runtime: RuntimeStats = {
    median: 1,
    min: 1,
    mean: 1,
    cv: 0,
    samples: 20,
    values: [],
    retaken: 3,
    waitShare: 0.07,
  };

  it('takes the higher load of the run start and end, and the harness counts', () => {
    expect(noiseFigures({ load1Start: 0.5, load1End: 3.5, cores: 2, stealShare: 0.01 }, runtime)).toEqual({
      load1: 3.5,
      cores: 2,
      stealShare: 0.01,
      samples: 20,
      samplesRetaken: 3,
      waitShare: 0.07,
    });
    expect(noiseFigures({ load1Start: 4, cores: 8 }, undefined)).toEqual({ load1: 4, cores: 8 });
    expect(noiseFigures({ load1Start: 1, cores: 2, throttledShare: 0.4 }, undefined)).toEqual({
      load1: 1,
      cores: 2,
      throttledShare: 0.4,
    });
    expect(noiseFigures(undefined, undefined)).toEqual({});
  });
});
