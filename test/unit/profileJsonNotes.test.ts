import { describe, expect, it } from 'vitest';
import type { SandboxResult } from '../../src/core/sandboxTypes';
import { formatProfileText, toProfileJson } from '../../src/cli/profileJson';

const subject = { language: 'python' as const, functionName: 'add' };
const info = { sandbox: 'local' as const, isolation: 'local: bwrap', wallMs: 100, output: '' };

const sampled: SandboxResult = {
  ...info,
  kind: 'passed',
  tests: { passed: 40, failed: 1 },
  runner: 'pytest',
  callsMade: 6003,
  notes: ['the tests made 6003 calls to add; every 512th call was recorded.', '2 calls to add not recorded: a lambda.'],
  measurement: {
    runtimeMs: { median: 1, min: 1, mean: 1, cv: 0.01, samples: 5, values: [1] },
    peakMemoryKb: 1,
    integralKbMs: 1,
    calls: 11,
  },
};

describe('profile output: calls made, calls recorded and the harness notes', () => {
  it('puts the calls made and the notes in the JSON and says what the runtime is a round of', () => {
    const json = toProfileJson(sampled, subject);
    expect(json).toMatchObject({ status: 'passed', calls: 11, calls_made: 6003, notes: sampled.notes });
    expect(json.message).toMatch(
      /measured on 11 recorded calls of the 6003 calls the tests made \(the runtime is one round/,
    );
    expect(json.message).toMatch(/1 failing before any change left out/);
  });

  it('prints the counts and every note in the text', () => {
    const text = formatProfileText(toProfileJson(sampled, subject));
    expect(text).toContain('calls     11 recorded of 6003 made by the tests');
    expect(text).toContain('note      2 calls to add not recorded: a lambda.');
  });

  it('says, when no call could be recorded, that every figure is per run of the tests, timed in place', () => {
    const runtimeMs = { median: 73.6, min: 73.5, mean: 74, cv: 0.01, samples: 3, values: [73.5, 73.6, 74.9] };
    const inPlace: SandboxResult = {
      ...info,
      kind: 'passed',
      tests: { passed: 2, failed: 0 },
      runner: 'pytest',
      callsMade: 2,
      coverage: 0,
      measurement: {
        runtimeMs,
        peakMemoryKb: 8202,
        integralKbMs: 188968,
        calls: 2,
        basis: 'inPlace',
        inPlace: { runtimeMs, calls: 2, tests: 2, coverage: 1, share: 1 },
      },
    };
    const json = toProfileJson(inPlace, subject);
    expect(json).toMatchObject({ runtime_basis: 'in_place', calls: 0, calls_made: 2 });
    expect(json.runtime_per_call_ms?.median).toBeCloseTo(36.8, 6);
    expect(json.message).toBe(
      '2 tests passed; no call could be recorded, so the function was timed in place: the runtime is that of one run of the tests making its calls (2 calls a run).',
    );
    const text = formatProfileText(json);
    expect(text).toContain('runtime   36.8 ms per call (2 calls timed in place; 73.6 ms per run of the tests)');
    expect(text).toContain('median of 3 runs, min 36.8 ms per call');
    expect(text).toContain(
      "calls     0 recorded of 2 made by the tests; every figure is from the calls timed in place, covering 100 % of the tests' time in the function",
    );
    expect(text).not.toMatch(/ {2}in place {2}/);
    expect(toProfileJson(sampled, subject).runtime_basis).toBe('replay');
    expect(text).toContain('memory    peak 8.01 MB');
    // Memory runs that failed leave no figures: null, not 0 kB (which means nothing was allocated).
    const withoutMemory = {
      ...inPlace,
      measurement: { ...inPlace.measurement, peakMemoryKb: 0, integralKbMs: 0, memoryUnmeasured: true },
    } as SandboxResult;
    const unmeasured = toProfileJson(withoutMemory, subject);
    expect(unmeasured).toMatchObject({ peak_memory_kb: null, integral_kb_ms: null });
    expect(unmeasured.runtime_ms?.median).toBe(73.6);
    expect(formatProfileText(unmeasured)).toContain('memory    not measured (the notes say why)');
  });

  it('says that tests failing on the code as it is fail before any change', () => {
    const failed: SandboxResult = {
      ...info,
      kind: 'failed',
      tests: { passed: 3, failed: 1 },
      runner: 'pytest',
      failures: [{ test: 'test_add', message: 'assert 1 == 2' }],
      failingBefore: true,
    };
    const json = toProfileJson(failed, subject);
    expect(json.failing_before).toBe(true);
    expect(json.message).toMatch(
      /^1 of 4 tests fail with the code as it is, before any change: test_add: assert 1 == 2/,
    );
    expect(json.message).not.toMatch(/The function failed/);
  });

  it('prints no test counts for a run that stopped before the tests reported', () => {
    const text = formatProfileText(toProfileJson({ ...info, kind: 'memory_limit', limitMb: 512 }, subject));
    expect(text).toMatch(/ran out of memory \(limit 512 MB\)/);
    expect(text).not.toMatch(/tests +0 passed/);
  });
});
