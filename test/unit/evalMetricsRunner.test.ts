import { describe, expect, it } from 'vitest';
import { languageOf } from '../../src/languages/registry';
import { runEvaluation, type AnswerProvider } from '../../src/core/evalRunner';
import type { EvalProblem } from '../../src/core/evalTypes';
import type { Measurement, Sandbox, SandboxJob, SandboxResult } from '../../src/core/sandboxTypes';

const limits = { timeoutMs: 1000, memoryMb: 128 };

/** Code holds `RUNTIME:<ms>` (passes, measured at that runtime), `FAIL`, `DIFFERS:<ms>` or `THROW`. */
function fakeSandbox(name: string, log: string[], gate?: { active: number; peak: number }): Sandbox {
  return {
    describe: () => ({ sandbox: 'local', isolation: name }),
    dispose: async () => undefined,
    async run(job: SandboxJob): Promise<SandboxResult> {
      if (gate) {
        gate.active++;
        gate.peak = Math.max(gate.peak, gate.active);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (gate) gate.active--;
      const code = job.files.find((f) => f.path === job.modulePath)?.content ?? '';
      const info = { sandbox: 'local' as const, isolation: name, wallMs: 5, output: '' };
      log.push(`${name}:${job.mode.kind}:${/(RUNTIME|FAIL|DIFFERS|THROW)[:\d.]*/.exec(code)?.[0]}`);
      if (code.includes('THROW')) throw new Error('engine went away');
      if (code.includes('FAIL'))
        return {
          ...info,
          kind: 'failed',
          tests: { passed: 0, failed: 1 },
          runner: 'unittest',
          failures: [{ test: 't', message: 'wrong' }],
        };
      if (job.mode.kind === 'check' && code.includes('DIFFERS')) {
        return {
          ...info,
          kind: 'failed',
          tests: { passed: 1, failed: 0 },
          runner: 'unittest',
          failures: [{ test: 'differential check (call 1)', message: 'expected 1, got 2' }],
        };
      }
      const ms = Number(/[\d.]+/.exec(code.slice(code.search(/RUNTIME|DIFFERS/)))?.[0]);
      const measurement: Measurement = {
        runtimeMs: { median: ms, min: ms, mean: ms, cv: 0.01, samples: 5, values: [ms, ms, ms, ms, ms] },
        peakMemoryKb: 10,
        integralKbMs: ms * 10,
        calls: 1,
      };
      return {
        ...info,
        kind: 'passed',
        tests: { passed: 1, failed: 0 },
        runner: 'unittest',
        measurement,
        recording: { language: 'python', calls: 1, data: 'rec' },
      };
    },
  };
}

function problem(id: string, refs: string[]): EvalProblem {
  return {
    id,
    language: 'python',
    entryPoint: 'f',
    description: '',
    tests: { kind: 'args', cases: [{ args: [1], expected: 1 }] },
    solutions: refs.map((code) => ({ code: `f = '${code}'` })),
  };
}

const answers =
  (map: Record<string, string>): AnswerProvider =>
  async (p) =>
    map[p.id] ? { kind: 'code', code: `f = '${map[p.id]}'` } : { kind: 'none', reason: 'no answer' };

describe('runEvaluation', () => {
  const problems = [
    problem('a', ['RUNTIME:10', 'RUNTIME:40']),
    problem('b', ['RUNTIME:10', 'FAIL']),
    problem('c', ['RUNTIME:5']),
    problem('d', ['RUNTIME:5']),
  ];

  it('scores every problem, runs the differential check, and reports failures as scores of 0', async () => {
    const log: string[] = [];
    const results = await runEvaluation(
      problems,
      [fakeSandbox('s', log)],
      answers({ a: 'RUNTIME:20', b: 'DIFFERS:1', c: 'THROW' }),
      { workers: 1, languages: languageOf, limits },
    );
    const byId = new Map(results.map((r) => [r.id, r]));
    expect(byId.get('a')?.scores).toMatchObject({ passed: true, timePct: 0.5 });
    expect(byId.get('a')?.scores?.beyond).toBeCloseTo(20 / 30, 10);
    expect(byId.get('a')?.differential).toEqual({ kind: 'agreed' });
    // Passed its tests, so it counts for pass@1; the disagreement with the reference is reported.
    expect(byId.get('b')).toMatchObject({
      referencesPassed: 1,
      referencesTotal: 2,
      scores: { passed: true, timePct: 1 },
      differential: { kind: 'differs', message: 'differential check (call 1): expected 1, got 2' },
    });
    expect(byId.get('c')?.answer.outcome).toMatchObject({
      kind: 'failed',
      status: 'error',
      message: 'the sandbox failed: engine went away',
    });
    expect(byId.get('d')?.answer.outcome).toMatchObject({ kind: 'failed', status: 'no_answer' });
    expect(byId.get('d')?.scores?.timePct).toBe(0);
    expect(log.filter((l) => l.includes(':check:'))).toEqual(['s:check:RUNTIME:20', 's:check:DIFFERS:1']);
  });

  it('spreads problems over workers, each with its own sandbox, running them at once', async () => {
    const log: string[] = [];
    const gate = { active: 0, peak: 0 };
    const results = await runEvaluation(
      problems,
      [fakeSandbox('one', log, gate), fakeSandbox('two', log, gate)],
      answers({ a: 'RUNTIME:1', b: 'RUNTIME:1', c: 'RUNTIME:1', d: 'RUNTIME:1' }),
      { workers: 2, languages: languageOf, limits },
    );
    expect(results.map((r) => r.id).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(gate.peak).toBe(2);
    expect(new Set(log.map((l) => l.split(':')[0]))).toEqual(new Set(['one', 'two']));
  });

  it('skips problems already done and reports progress as problems finish', async () => {
    const log: string[] = [];
    const done: string[] = [];
    const results = await runEvaluation(
      problems,
      [fakeSandbox('s', log)],
      answers({ a: 'RUNTIME:1', b: 'RUNTIME:1', c: 'RUNTIME:1', d: 'RUNTIME:1' }),
      {
        workers: 2,
        languages: languageOf,
        limits,
        skip: new Set(['a', 'c']),
        onEvent: (e) => e.type === 'problemDone' && done.push(`${e.result.id} ${e.done}/${e.total}`),
      },
    );
    expect(results.map((r) => r.id).sort()).toEqual(['b', 'd']);
    expect(done.map((d) => d.split(' ')[1]).sort()).toEqual(['1/2', '2/2']);
  });

  it('stops taking problems when cancelled', async () => {
    const controller = new AbortController();
    const results = await runEvaluation(problems, [fakeSandbox('s', [])], answers({ a: 'RUNTIME:1' }), {
      workers: 1,
      languages: languageOf,
      limits,
      signal: controller.signal,
      onEvent: (e) => e.type === 'problemDone' && controller.abort(),
    });
    expect(results.map((r) => r.id)).toEqual(['a']);
  });
});

describe('identical code', () => {
  it("takes the reference's figures when the answer is a reference with other comments and spacing", async () => {
    const p: EvalProblem = {
      ...problem('x', []),
      solutions: [{ code: "f = 'RUNTIME:10'" }, { code: "f = 'RUNTIME:40'" }],
    };
    // Measured at 60 ms in its own run (noise), but it is the 40 ms reference's code.
    const [r] = await runEvaluation(
      [p],
      [fakeSandbox('s', [])],
      async () => ({ kind: 'code', code: "# RUNTIME:60 (a copy)\nf  =  'RUNTIME:40'   \n" }),
      { workers: 1, languages: languageOf, limits },
    );
    expect(r?.answer.outcome).toMatchObject({ kind: 'passed' });
    expect(r?.scores).toMatchObject({ timePct: 0.5, beyond: 0 });
  });
});
