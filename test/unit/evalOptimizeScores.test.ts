// How an --optimize answer is scored: the solution without the wrapper the sandbox job put around
// it, one program = one set of figures along the per-iteration curve, and where its results go.
import { describe, expect, it } from 'vitest';
import { languageOf } from '../../src/languages/registry';
import { defaultResultsPath } from '../../src/adapters/evalResultsStore';
import { problemJob, solutionCodeOf } from '../../src/core/evalJobs';
import { iterationCurve } from '../../src/core/evalMetrics';
import { evaluateProblem, type ProvidedAnswer } from '../../src/core/evalRunner';
import type { CodeOutcome, EvalProblem } from '../../src/core/evalTypes';
import type { Measurement, Sandbox, SandboxJob, SandboxResult } from '../../src/core/sandboxTypes';

const limits = { timeoutMs: 1000, memoryMb: 128 };

function measured(ms: number): Measurement {
  return {
    runtimeMs: { median: ms, min: ms, mean: ms, cv: 0.01, samples: 5, values: [ms, ms, ms, ms, ms] },
    peakMemoryKb: 10,
    integralKbMs: ms * 10,
    calls: 1,
  };
}

/** Module text holding `RUNTIME:<ms>` passes at that runtime. */
const sandbox: Sandbox = {
  describe: () => ({ sandbox: 'local', isolation: 'fake' }),
  dispose: async () => undefined,
  async run(job: SandboxJob): Promise<SandboxResult> {
    const code = job.files.find((f) => f.path === job.modulePath)?.content ?? '';
    const ms = Number(/RUNTIME:([\d.]+)/.exec(code)?.[1]);
    const info = { sandbox: 'local' as const, isolation: 'fake', wallMs: 1, output: '' };
    return {
      ...info,
      kind: 'passed',
      tests: { passed: 1, failed: 0 },
      runner: 'unittest',
      measurement: measured(ms),
      recording: { language: 'python', calls: 1, data: '' },
    };
  },
};

const args = { kind: 'args' as const, cases: [{ args: [1], expected: 1 }] };
const python: EvalProblem = {
  id: 'p',
  language: 'python',
  entryPoint: 'f',
  description: '',
  tests: args,
  solutions: [{ code: "f = 'RUNTIME:10'\n" }, { code: "f = 'RUNTIME:40'\n" }],
};

describe('solutionCodeOf', () => {
  const moduleOf = (problem: EvalProblem, code: string): string => {
    const job = problemJob(languageOf(problem.language), problem, code, { mode: { kind: 'profile' }, limits });
    return job.files.find((f) => f.path === job.modulePath)?.content ?? '';
  };
  const venus: EvalProblem = {
    ...python,
    entryPoint: 'Solution.f',
    tests: {
      kind: 'stdio',
      cases: [],
      runner: 'class ListNode:\n    pass\n\n==Code Submission==\nprint(Solution().f())\n',
    },
  };
  const js: EvalProblem = { ...python, language: 'javascript', entryPoint: 'Solution.f' };

  it.each([
    ['Python args', python, 'def f(x):\n    return x\n'],
    ['Python stdio (runner helpers before the code)', venus, 'class Solution:\n    def f(self):\n        return 1\n'],
    [
      'Python test_code',
      { ...python, tests: { kind: 'code' as const, code: 'import solution' } },
      'def f(x):\n    return x\n',
    ],
    ['JavaScript without an export', js, 'class Solution {\n  f(x) { return x; }\n}\n'],
    ['JavaScript with its own export', js, 'export class Solution {\n  f(x) { return x; }\n}\n'],
  ])('gives back the code of a %s job', (_, problem, code) => {
    const wrapped = moduleOf(problem, code);
    expect(solutionCodeOf(languageOf(problem.language), problem, wrapped)).toBe(code);
  });

  it('leaves text without the wrapper as it is', () => {
    expect(solutionCodeOf(languageOf(python.language), python, 'import os\ndef f(x):\n    return x\n')).toBe(
      'import os\ndef f(x):\n    return x\n',
    );
  });
});

describe('the per-iteration curve of an --optimize answer', () => {
  const passed = (ms: number): CodeOutcome => ({ kind: 'passed', measurement: measured(ms) });

  it('gives a copied reference its figures and the final code the answer run, whatever the loop measured', async () => {
    const provided: ProvidedAnswer = {
      kind: 'optimized',
      code: "f = 'RUNTIME:8'\n",
      iterations: [
        // A copy of the 40 ms reference, measured 60 ms in the loop's baseline: it is that reference.
        { iteration: 0, code: "f = 'RUNTIME:40'\n", outcome: passed(60) },
        { iteration: 1, code: "f = 'RUNTIME:25'\n", outcome: passed(25) },
        // The final code, measured 30 ms in the loop, 8 ms when scored like the references.
        { iteration: 2, code: "f = 'RUNTIME:8'\n", outcome: passed(30) },
      ],
      run: { outcome: 'improved', reason: 'Ran all 2 iteration(s).', bestIteration: 2, start: 'given' },
    };
    const r = await evaluateProblem(python, sandbox, async () => provided, {
      workers: 1,
      languages: languageOf,
      limits,
    });
    expect(r.iterations?.map((p) => [p.iteration, p.scores.timePct])).toEqual([
      [0, 0.5],
      [1, 0.5],
      [2, 1],
    ]);
    expect(r.iterations?.at(-1)?.scores).toEqual(r.scores);
    expect(r.optimization).toEqual(provided.run);
  });

  it('counts a problem that never got a start as failed at every iteration', async () => {
    const optimized: ProvidedAnswer = {
      kind: 'optimized',
      code: "f = 'RUNTIME:8'\n",
      iterations: [
        { iteration: 0, code: "f = 'RUNTIME:40'\n", outcome: passed(40) },
        { iteration: 1, code: "f = 'RUNTIME:8'\n", outcome: passed(8) },
      ],
      run: { outcome: 'improved', reason: '', bestIteration: 1, start: 'model' },
    };
    const a = await evaluateProblem(python, sandbox, async () => optimized, {
      workers: 1,
      languages: languageOf,
      limits,
    });
    const b = await evaluateProblem(
      { ...python, id: 'q' },
      sandbox,
      async () => ({ kind: 'none', reason: 'no code in the reply' }),
      { workers: 1, languages: languageOf, limits },
    );
    expect(iterationCurve([a, b]).map((p) => [p.iteration, p.pass_at_1, p.time_pct])).toEqual([
      [0, 0.5, 0.25],
      [1, 0.5, 0.5],
    ]);
  });
});

describe('defaultResultsPath', () => {
  it('keeps scoring, and optimising with each model, in files of their own', () => {
    expect(defaultResultsPath('data/problems.jsonl', 'data/answers.jsonl')).toBe('data/problems.answers.results.jsonl');
    expect(defaultResultsPath('data/problems.jsonl', 'data/answers.jsonl', 'qwen/coder:7b')).toBe(
      'data/problems.optimize-qwen_coder_7b.answers.results.jsonl',
    );
    expect(defaultResultsPath('data/problems.jsonl', undefined, 'gpt-4o-mini')).toBe(
      'data/problems.optimize-gpt-4o-mini.results.jsonl',
    );
  });
});
