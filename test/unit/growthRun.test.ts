import { describe, expect, it } from 'vitest';
import { measureGrowth, profileWithSizes } from '../../src/core/growthRun';
import type { Sandbox, SandboxJob, SandboxResult } from '../../src/core/sandboxTypes';

const info = { sandbox: 'local' as const, isolation: 'test double', wallMs: 1, output: '' };
const measurement = {
  runtimeMs: { median: 1, min: 1, mean: 1, cv: 0, samples: 1, values: [1] },
  peakMemoryKb: 1,
  integralKbMs: 1,
  calls: 1,
};

/** Answers each job with `answer(job)` and keeps the jobs it was given. */
function sandbox(answer: (job: SandboxJob) => SandboxResult): Sandbox & { jobs: SandboxJob[] } {
  const jobs: SandboxJob[] = [];
  return {
    jobs,
    describe: () => ({ sandbox: 'local', isolation: 'test double' }),
    dispose: async () => undefined,
    run: async (job) => {
      jobs.push(job);
      return answer(job);
    },
  };
}

const job: SandboxJob = {
  language: 'python',
  files: [{ path: 'm.py', content: 'ORIGINAL' }],
  modulePath: 'm.py',
  testPaths: [],
  target: 'f',
  mode: { kind: 'profile' },
  limits: { timeoutMs: 1000, memoryMb: 64 },
};
const passed: SandboxResult = {
  ...info,
  kind: 'passed',
  tests: { passed: 1, failed: 0 },
  runner: 'pytest',
  measurement,
};

describe('growth runs', () => {
  it('profiles again without sizes when a size ran past the limit, keeping the sized run to say why', async () => {
    const timeout: SandboxResult = { ...info, kind: 'timeout', limitMs: 1000 };
    const box = sandbox((j) => (j.measure?.sizes ? timeout : passed));
    const result = await profileWithSizes(box, job, [10, 100]);
    expect(result).toEqual({ profile: passed, growth: timeout });
    expect(box.jobs.map((j) => j.measure?.sizes)).toEqual([[10, 100], undefined]);
  });

  it('measures each version with its own module text, in order', async () => {
    const box = sandbox(() => passed);
    const steps = [];
    const versions = [
      { version: 'original', label: 'Original', moduleText: 'ORIGINAL' },
      { version: 'best', label: 'Iteration 2', moduleText: 'BEST' },
    ];
    for await (const step of measureGrowth(box, job, versions, [10]))
      steps.push(step.kind === 'measured' && step.version);
    expect(steps).toEqual(['original', 'best']);
    expect(box.jobs.map((j) => j.files[0]?.content)).toEqual(['ORIGINAL', 'BEST']);
  });
});
