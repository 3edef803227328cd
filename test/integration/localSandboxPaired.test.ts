// The side-by-side check end to end through the local sandbox: the loop puts the best version so
// far into the job as the reference, the sandbox carries it (transpiled too, for TypeScript) to the
// harness, and the decision rests on the two measured in one run.
import { readdirSync } from 'node:fs';
import { languageOf } from '../../src/languages/registry';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createLocalSandbox } from '../../src/adapters/localSandbox';
import { optimize } from '../../src/core/loop';
import type { LoopEvent } from '../../src/core/loopTypes';
import type { CompletionResult, LanguageModel } from '../../src/core/modelTypes';
import type { SandboxJob } from '../../src/core/sandboxTypes';

const MARKER = 'afterburner-pairedtest-';
const limits = { timeoutMs: 60_000, memoryMb: 512 };

const MODULE = `def work(data):
    total = 0
    for _ in range(4):
        for value in data:
            total += value * value
    return total
`;
const TWICE_AS_FAST = `def work(data):
    total = 0
    for _ in range(2):
        for value in data:
            total += value * value
    return total * 2
`;
const TEST = `from work import work


def test_work():
    assert work(list(range(1500))) == 4 * sum(v * v for v in range(1500))
`;

/** A model double that answers with one fixed code block. */
function modelAnswering(code: string): LanguageModel {
  return {
    describe: () => 'scripted model',
    complete: async (): Promise<CompletionResult> => ({
      kind: 'ok',
      text: '```python\n' + code + '```',
      model: 'scripted',
    }),
  };
}

describe('local sandbox: candidate measured beside the best so far', () => {
  const sandbox = createLocalSandbox({ workDirPrefix: MARKER });

  it('accepts a twice-as-fast candidate on the side-by-side samples of its own run', async () => {
    const events: LoopEvent[] = [];
    const request = {
      language: languageOf('python'),
      files: [
        { path: 'work.py', content: MODULE },
        { path: 'test_work.py', content: TEST },
      ],
      modulePath: 'work.py',
      testPaths: ['test_work.py'],
      target: 'work',
      goal: 'time' as const,
      iterations: 1,
      candidates: 1,
      limits,
      measure: { budgetMs: 300 },
    };
    for await (const event of optimize({ sandbox, model: modelAnswering(TWICE_AS_FAST) }, request)) events.push(event);
    const candidate = events.flatMap((e) => (e.type === 'candidateMeasured' ? [e.candidate] : []))[0];
    expect(candidate?.status, candidate?.verdict.reason).toBe('passed');
    expect(candidate?.verdict.reason).toMatch(
      /^accepted: [\d.]+× faster than the best so far in a side-by-side measurement \(p [<=] /,
    );
    expect(events.at(-1)).toMatchObject({ type: 'finished', outcome: 'improved' });
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith(MARKER))).toEqual([]);
  });

  it('carries a TypeScript reference through transpiling to the harness', async () => {
    const source = (passes: number): string =>
      `export function work(values: number[]): number {\n  let total = 0;\n  for (let r = 0; r < ${passes}; r++) for (const v of values) total += v * v;\n  return (total / ${passes}) * 4;\n}\n`;
    const test =
      "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { work } from './work';\ntest('work', () => assert.equal(work([1, 2, 3]), 56));\n";
    const profiled = await sandbox.run({
      language: 'typescript',
      files: [
        { path: 'src/work.ts', content: source(4) },
        { path: 'src/work.test.ts', content: test },
      ],
      modulePath: 'src/work.ts',
      testPaths: ['src/work.test.ts'],
      target: 'work',
      mode: { kind: 'profile' },
      limits,
      measure: { budgetMs: 100 },
    });
    if (profiled.kind !== 'passed' || !profiled.recording)
      throw new Error(`profile: ${profiled.kind} ${profiled.output}`);
    const job: SandboxJob = {
      language: 'typescript',
      files: [
        { path: 'src/work.ts', content: source(2) },
        { path: 'src/work.test.ts', content: test },
        { path: 'src/work.afterburner-reference.ts', content: source(4) },
      ],
      modulePath: 'src/work.ts',
      testPaths: ['src/work.test.ts'],
      target: 'work',
      mode: {
        kind: 'check',
        recording: profiled.recording,
        reference: { modulePath: 'src/work.afterburner-reference.ts' },
      },
      limits,
      measure: { budgetMs: 100 },
    };
    const checked = await sandbox.run(job);
    expect(checked.kind, checked.output).toBe('passed');
    if (checked.kind !== 'passed') return;
    expect(checked.tests).toEqual({ passed: 1, failed: 0 });
    expect(checked.referenceMeasurement?.runtimeMs.samples).toBe(checked.measurement?.runtimeMs.samples);
    expect(checked.referenceMeasurement?.calls).toBe(1);
  });

  it('says which file is missing when the job names a reference it does not include', async () => {
    const result = await sandbox.run({
      language: 'python',
      files: [
        { path: 'work.py', content: MODULE },
        { path: 'test_work.py', content: TEST },
      ],
      modulePath: 'work.py',
      testPaths: ['test_work.py'],
      target: 'work',
      mode: {
        kind: 'check',
        recording: { language: 'python', calls: 0, data: '' },
        reference: { modulePath: 'work.afterburner-reference.py' },
      },
      limits,
    });
    expect(result).toMatchObject({
      kind: 'error',
      message: expect.stringContaining("'work.afterburner-reference.py'"),
    });
  });
});
