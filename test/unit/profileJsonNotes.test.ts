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
