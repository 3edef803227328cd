import { describe, expect, it } from 'vitest';
import type { SandboxResult } from '../../src/core/sandboxTypes';
import { formatProfileText, toProfileJson } from '../../src/cli/profileJson';

const info = { sandbox: 'local' as const, isolation: 'local: bwrap (no network)', wallMs: 321.4, output: '' };
const subject = { language: 'python' as const, functionName: 'slow_sort' };

const passed: SandboxResult = {
  ...info,
  kind: 'passed',
  tests: { passed: 3, failed: 0 },
  runner: 'pytest',
  measurement: {
    runtimeMs: { median: 1.5, min: 1.4, mean: 1.55, cv: 0.02, samples: 40, values: [1.4, 1.5] },
    peakMemoryKb: 12.5,
    integralKbMs: 18.75,
    calls: 4,
  },
};

describe('profile JSON', () => {
  it('has exactly the contract fields for a measured run', () => {
    const json = toProfileJson(passed, subject);
    expect(json).toMatchObject({
      status: 'passed',
      language: 'python',
      function: 'slow_sort',
      sandbox: 'local',
      isolation: 'local: bwrap (no network)',
      tests: { passed: 3, failed: 0 },
      runtime_ms: { median: 1.5, min: 1.4, mean: 1.55, cv: 0.02, samples: 40 },
      peak_memory_kb: 12.5,
      integral_kb_ms: 18.75,
    });
    expect(json.message).toMatch(/3 tests passed/);
    expect(json.runtime_ms).not.toHaveProperty('values');
  });

  it('maps every failure kind to its status with a message and no measurement', () => {
    const cases: [SandboxResult, string][] = [
      [
        {
          ...info,
          kind: 'failed',
          tests: { passed: 1, failed: 1 },
          runner: 'pytest',
          failures: [{ test: 'test_a', message: 'assert 1 == 2' }],
        },
        'failed',
      ],
      [{ ...info, kind: 'timeout', limitMs: 5000 }, 'timeout'],
      [{ ...info, kind: 'memory_limit', limitMb: 256 }, 'memory_limit'],
      [{ ...info, kind: 'crashed', signal: 'SIGSEGV', message: 'killed by SIGSEGV' }, 'crashed'],
      [{ ...info, kind: 'error', message: 'harness missing' }, 'error'],
    ];
    for (const [result, status] of cases) {
      const json = toProfileJson(result, subject);
      expect(json.status).toBe(status);
      expect(json.runtime_ms).toBeNull();
      expect(json.peak_memory_kb).toBeNull();
      expect(json.message.length).toBeGreaterThan(0);
    }
    expect(toProfileJson(cases[0]![0], subject).message).toContain('assert 1 == 2');
    expect(toProfileJson(cases[1]![0], subject).message).toContain('--timeout');
    expect(toProfileJson(cases[3]![0], subject)).toMatchObject({ signal: 'SIGSEGV' });
  });

  it('prints a short human summary with runtime ± CV, memory, integral and isolation', () => {
    const text = formatProfileText(toProfileJson(passed, subject));
    expect(text).toContain('passed');
    expect(text).toContain('375 µs per call (4 recorded calls; 1.50 ms per round) ± 2.0 %');
    expect(text).toContain('peak 12.5 kB');
    expect(text).toContain('18.8 kB·ms');
    expect(text).toContain('local: bwrap (no network)');
  });

  it("says what share of the tests' time in the function the recorded calls took", () => {
    const share = (coverage: number): string => {
      const json = toProfileJson({ ...passed, callsMade: 6, coverage }, subject);
      expect(json.coverage).toBe(coverage);
      return formatProfileText(json);
    };
    expect(share(0.9981)).toContain(
      "calls     4 recorded of 6 made by the tests, covering 99.8 % of the tests' time in the function",
    );
    expect(share(0.0423)).toContain("covering 4.23 % of the tests' time in the function");
    expect(share(0.00003)).toContain("covering under 0.1 % of the tests' time in the function");
    expect(share(0.99996)).toContain("covering 100 % of the tests' time");
    expect(formatProfileText(toProfileJson(passed, subject))).not.toContain('covering');
  });

  it('gives the calls timed in place as in_place, and a line of their own', () => {
    const inPlace = {
      runtimeMs: { median: 7.65, min: 7.37, mean: 7.8, cv: 0.021, samples: 9, values: [7.37, 7.65, 8.38] },
      calls: 2,
      tests: 1,
      coverage: 0.9996,
      share: 0.9998,
    };
    const m = passed.kind === 'passed' ? passed.measurement : undefined;
    const json = toProfileJson({ ...passed, measurement: m && { ...m, inPlace }, coverage: 0.0002 }, subject);
    expect(json.in_place).toEqual({
      runtime_ms: { median: 7.65, min: 7.37, mean: 7.8, cv: 0.021, samples: 9 },
      calls: 2,
      tests: 1,
      coverage: 0.9996,
    });
    expect(formatProfileText(json)).toContain(
      "in place  7.65 ms a run ± 2.1 % (median of 9 runs of the 1 test making the calls not recorded, 2 calls a run; with the replays, covering 100 % of the tests' time in the function)",
    );
    expect(toProfileJson(passed, subject)).not.toHaveProperty('in_place');
  });
});
