// `afterburner eval` on the fixture problem set (Python and JavaScript, a fast and a slow human
// reference each) through the real local sandbox: every answer file has known metric values.
import { afterAll, describe, expect, it } from 'vitest';
import { languageOf } from '../../src/languages/registry';
import { readAnswersFile, readProblemsFile } from '../../src/adapters/evalProblems';
import { createLocalSandbox } from '../../src/adapters/localSandbox';
import { seededRandom } from '../../src/core/bootstrap';
import { buildEvalReport } from '../../src/core/evalReport';
import { runEvaluation } from '../../src/core/evalRunner';
import type { Sandbox } from '../../src/core/sandboxTypes';

const dir = 'test/fixtures/eval';
const limits = { timeoutMs: 60_000, memoryMb: 512 };
// A short timing budget: the answers differ from the references by 3× or more.
const measure = { budgetMs: 400, minSampleMs: 10 };
const sandboxes: Sandbox[] = [createLocalSandbox(), createLocalSandbox()];
afterAll(async () => Promise.all(sandboxes.map((s) => s.dispose())));

async function evaluate(answersFile: string) {
  const { problems, errors } = await readProblemsFile(`${dir}/problems.jsonl`);
  expect(errors).toEqual([]);
  const { answers } = await readAnswersFile(`${dir}/${answersFile}`);
  const results = await runEvaluation(
    problems,
    sandboxes,
    async (p) => ({ kind: 'code', code: answers.get(p.id)?.code ?? '' }),
    { workers: 2, languages: languageOf, limits, measure },
  );
  const report = buildEvalReport(
    results,
    seededRandom(1),
    { problems_file: 'problems.jsonl', answers: answersFile, sandbox: 'local', generated_at: '', workers: 2 },
    problems.map((p) => p.id),
  );
  // Every reference of the fixture set passes here; a failure would make all the numbers below meaningless.
  for (const r of results)
    for (const ref of r.references) if (ref.outcome.kind !== 'passed') console.log(r.id, ref.outcome);
  for (const p of report.per_problem)
    expect({ id: p.id, references: p.references }).toEqual({ id: p.id, references: { passed: 2, total: 2 } });
  return report;
}

const perProblem = (
  report: Awaited<ReturnType<typeof evaluate>>,
  key: 'time_pct' | 'beyond' | 'differential' | 'status',
) => Object.fromEntries(report.per_problem.map((p) => [p.id, p[key]]));

describe('afterburner eval on the fixture set, local sandbox', () => {
  it('a copy of the fast reference beats or ties every reference', async () => {
    const r = await evaluate('answers.fast.jsonl');
    expect(r).toMatchObject({ problems: 5, pass_at_1: 1, time_pct: 1, beyond: 1 });
    expect(r.speedup).toBeGreaterThan(3);
    expect(new Set(Object.values(perProblem(r, 'differential')))).toEqual(new Set(['agreed']));
  });

  it('a copy of the slow reference ties it and loses to the fast one', async () => {
    const r = await evaluate('answers.correct.jsonl');
    expect(r).toMatchObject({ pass_at_1: 1, time_pct: 0.5, beyond: 0 });
    expect(r.memory_pct).toBeGreaterThanOrEqual(0.5);
  });

  it('an answer slower than every reference passes but scores 0', async () => {
    const r = await evaluate('answers.slow.jsonl');
    expect(perProblem(r, 'status')).toEqual({
      'py-sum-squares': 'passed',
      'py-two-sum': 'passed',
      '9001': 'passed',
      'js-count-primes': 'passed',
      'js-unique': 'passed',
    });
    expect(perProblem(r, 'time_pct')).toEqual({
      'py-sum-squares': 0,
      'py-two-sum': 0,
      '9001': 0,
      'js-count-primes': 0,
      'js-unique': 0,
    });
    expect(r).toMatchObject({ pass_at_1: 1, time_pct: 0, beyond: 0 });
    expect(r.speedup).toBeLessThan(1);
  });

  it('a wrong answer fails with the test that caught it and scores 0 everywhere', async () => {
    const r = await evaluate('answers.wrong.jsonl');
    expect(r).toMatchObject({ pass_at_1: 0, time_pct: 0, memory_pct: 0, integral_pct: 0, beyond: 0, speedup: null });
    expect(r.per_problem.find((p) => p.id === 'js-unique')?.message).toContain('expected [3,1,2], got [3,1,3,2,1]');
    expect(r.per_problem.find((p) => p.id === '9001')?.message).toMatch(/expected '2\\n', got '3\\n'/);
  });
});
