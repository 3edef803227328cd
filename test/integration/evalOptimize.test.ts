/**
 * `afterburner eval --optimize` end to end: the real local sandbox, and the real OpenAI adapter
 * talking HTTP to a scripted OpenAI-compatible server. Three fixture problems start from a copy of
 * their slow reference; the model's candidates make one faster, one slower and one wrong. Without
 * --answers the model first writes the starting solution, which is then optimised and scored.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runEval } from '../../src/cli/evalCommand';
import { captureCli } from './cliCapture';
import { replies, startScriptedOpenAiServer, type ScriptedOpenAiServer } from '../support/scriptedOpenAiServer';

const fixtures = path.resolve(__dirname, '../fixtures/eval');
const work = mkdtempSync(path.join(tmpdir(), 'afterburner-eval-optimize-'));
let server: ScriptedOpenAiServer;
beforeAll(async () => {
  server = await startScriptedOpenAiServer({ models: ['scripted-coder'] });
});
afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  server.received.length = 0;
});

interface Line {
  readonly id: string;
  readonly code: string;
}

/** `{id, code}` per problem id from one of the fixture answer files. */
function answersOf(file: string): Map<string, string> {
  const lines = readFileSync(path.join(fixtures, file), 'utf8').trim().split('\n');
  return new Map(lines.map((l) => JSON.parse(l) as Line).map((a) => [a.id, a.code]));
}
const slowReference = answersOf('answers.correct.jsonl');
const fastReference = answersOf('answers.fast.jsonl');
const slower = answersOf('answers.slow.jsonl');
const wrong = answersOf('answers.wrong.jsonl');
const code = (answers: Map<string, string>, id: string): string => answers.get(id) ?? '';

/** The fixture problems `ids`, in that order, as a problems file of their own. */
function problemsFile(name: string, ids: readonly string[]): string {
  const rows = readFileSync(path.join(fixtures, 'problems.jsonl'), 'utf8').trim().split('\n');
  const rowOf = new Map(rows.map((row) => [(JSON.parse(row) as { id?: string }).id, row]));
  const file = path.join(work, name);
  writeFileSync(file, ids.map((id) => rowOf.get(id) ?? '').join('\n') + '\n');
  return file;
}

const evalCli = (argv: string[]) => captureCli(runEval, argv);

interface PerProblem {
  id: string;
  passed: boolean;
  status: string;
  message?: string;
  time_pct: number | null;
  beyond: number | null;
  speedup: number | null;
  differential: string;
  optimization?: { outcome: string; best_iteration: number; reason: string };
  iterations?: { iteration: number; passed: boolean; time_pct: number; beyond: number }[];
}
interface Report {
  problems: number;
  pass_at_1: number;
  time_pct: number;
  memory_pct: number;
  integral_pct: number;
  beyond: number;
  per_problem: PerProblem[];
  iterations?: {
    iteration: number;
    pass_at_1: number;
    time_pct: number;
    memory_pct: number;
    integral_pct: number;
    beyond: number;
  }[];
}

const fraction = (x: number): void => {
  expect(x).toBeGreaterThanOrEqual(0);
  expect(x).toBeLessThanOrEqual(1);
};

/** The answers the run scored, from its results file, by problem id. */
function scoredCode(resultsFile: string): Map<string, string> {
  const lines = readFileSync(resultsFile, 'utf8').trim().split('\n');
  return new Map(
    lines
      .map((l) => JSON.parse(l) as { id: string; answer: { code: string } })
      .map((r) => [r.id, r.answer.code.trim()]),
  );
}

const byId = (report: Report): Record<string, PerProblem> =>
  Object.fromEntries(report.per_problem.map((p) => [p.id, p]));
const curveOf = (p: PerProblem | undefined) => p?.iterations?.map((i) => [i.iteration, i.passed, i.time_pct]);
const userText = (i: number): string =>
  server.received
    .filter((r) => r.body?.messages)
    .at(i)
    ?.body?.messages?.map((m) => m.content)
    .join('\n') ?? '';

const THREE = ['py-sum-squares', 'py-two-sum', 'js-unique'];

/** A problems file of the three fixture problems and a starts file giving each the slow reference. */
function threeWithSlowStarts(name: string): { problems: string; starts: string; results: string } {
  const problems = problemsFile(`${name}.jsonl`, THREE);
  const starts = path.join(work, `${name}-starts.jsonl`);
  writeFileSync(starts, THREE.map((id) => JSON.stringify({ id, code: code(slowReference, id) })).join('\n') + '\n');
  return { problems, starts, results: path.join(work, `${name}.results.jsonl`) };
}

const common = [
  '--sandbox',
  'local',
  '--model',
  'scripted-coder',
  '--budget-ms',
  '300',
  '--workers',
  '1',
  '--json',
  '--fresh',
];

describe('afterburner eval --optimize', () => {
  it('keeps a faster candidate, rejects a slower and a wrong one, and reports the metrics after each iteration', async () => {
    const { problems, starts, results } = threeWithSlowStarts('given');
    const report = path.join(work, 'optimize.html');
    // One worker: problems run in file order, each for two iterations of one candidate; the second
    // reply repeats the first, which the loop recognises without measuring it again.
    server.enqueue(
      replies.code('python', code(fastReference, 'py-sum-squares')),
      replies.code('python', code(fastReference, 'py-sum-squares')),
      replies.code('python', code(slower, 'py-two-sum')),
      replies.code('python', code(slower, 'py-two-sum')),
      replies.code('javascript', code(wrong, 'js-unique')),
      replies.code('javascript', code(wrong, 'js-unique')),
    );
    const run = await evalCli([
      problems,
      '--optimize',
      '--answers',
      starts,
      '--base-url',
      server.baseUrl,
      '--iterations',
      '2',
      '--report',
      report,
      '--results',
      results,
      ...common,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as Report;
    expect(server.pending()).toBe(0);
    expect(server.received.filter((r) => r.body?.messages)).toHaveLength(6);
    // The starts were given: the model was only asked to improve them.
    expect(userText(0)).toContain('def sum_squares(n):\n    total = 0');
    for (const key of ['pass_at_1', 'time_pct', 'memory_pct', 'integral_pct', 'beyond'] as const) fraction(json[key]);

    const p = byId(json);
    // Start = a copy of the slow reference (ties it, loses to the fast one), then the fast one's copy.
    expect(p['py-sum-squares']).toMatchObject({
      passed: true,
      time_pct: 1,
      beyond: 1,
      differential: 'agreed',
      optimization: { outcome: 'improved', best_iteration: 1, start: 'given' },
    });
    expect(curveOf(p['py-sum-squares'])).toEqual([
      [0, true, 0.5],
      [1, true, 1],
      [2, true, 1],
    ]);
    // The slower candidate was measured and rejected: the start stays the answer.
    expect(p['py-two-sum']).toMatchObject({
      passed: true,
      time_pct: 0.5,
      beyond: 0,
      optimization: { outcome: 'no_improvement', best_iteration: 0 },
    });
    expect(curveOf(p['py-two-sum'])).toEqual([
      [0, true, 0.5],
      [1, true, 0.5],
      [2, true, 0.5],
    ]);
    expect(userText(3)).toMatch(/slower/);
    // The wrong candidate failed the tests: rejected, and the model was shown why.
    expect(p['js-unique']).toMatchObject({
      passed: true,
      time_pct: 0.5,
      optimization: { outcome: 'no_improvement', best_iteration: 0 },
    });
    expect(curveOf(p['js-unique'])).toEqual([
      [0, true, 0.5],
      [1, true, 0.5],
      [2, true, 0.5],
    ]);
    expect(userText(5)).toContain('expected [3,1,2], got [3,1,3,2,1]');

    // What was scored is the solution itself, not the module the sandbox ran it in.
    const scored = scoredCode(results);
    expect(scored.get('py-sum-squares')).toBe(code(fastReference, 'py-sum-squares').trim());
    expect(scored.get('py-two-sum')).toBe(code(slowReference, 'py-two-sum').trim());
    expect(scored.get('js-unique')).toBe(code(slowReference, 'js-unique').trim());

    expect(json).toMatchObject({ problems: 3, pass_at_1: 1 });
    expect(json.time_pct).toBeCloseTo(2 / 3, 10);
    expect(json.iterations?.map((i) => [i.iteration, i.pass_at_1, Number(i.time_pct.toFixed(4))])).toEqual([
      [0, 1, 0.5],
      [1, 1, 0.6667],
      [2, 1, 0.6667],
    ]);
    for (const point of json.iterations ?? [])
      for (const key of ['memory_pct', 'integral_pct', 'beyond'] as const) fraction(point[key]);

    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<h2>By iteration</h2>');
    expect(html).toContain('<canvas id="iterations">');
    expect(html).toContain("new Chart(document.getElementById('iterations')");
    expect(html).toContain('improved, best: iteration 1');
  });

  it('optimises several problems at once with --workers 2, each to the same outcome as alone', async () => {
    const { problems, starts, results } = threeWithSlowStarts('parallel');
    // Problems run two at a time, so replies go by what each request is about, not by order.
    server.route((asked) => {
      if (asked.includes('sum_squares')) return replies.code('python', code(fastReference, 'py-sum-squares'));
      if (asked.includes('twoSum')) return replies.code('python', code(slower, 'py-two-sum'));
      if (asked.includes('unique')) return replies.code('javascript', code(wrong, 'js-unique'));
      return undefined;
    });
    try {
      const asked = server.received.filter((r) => r.body?.messages).length;
      const run = await evalCli([
        problems,
        '--optimize',
        '--answers',
        starts,
        '--base-url',
        server.baseUrl,
        '--iterations',
        '2',
        '--results',
        results,
        ...common.filter((a, i, all) => a !== '--workers' && all[i - 1] !== '--workers'),
        '--workers',
        '2',
      ]);
      expect(run.code, run.stderr).toBe(0);
      const json = JSON.parse(run.stdout) as Report;
      expect(server.received.filter((r) => r.body?.messages).length - asked).toBe(6);
      const p = byId(json);
      expect(p['py-sum-squares']).toMatchObject({
        passed: true,
        time_pct: 1,
        optimization: { outcome: 'improved', best_iteration: 1 },
      });
      expect(curveOf(p['py-sum-squares'])).toEqual([
        [0, true, 0.5],
        [1, true, 1],
        [2, true, 1],
      ]);
      expect(p['py-two-sum']).toMatchObject({
        passed: true,
        time_pct: 0.5,
        optimization: { outcome: 'no_improvement', best_iteration: 0 },
      });
      expect(p['js-unique']).toMatchObject({
        passed: true,
        time_pct: 0.5,
        optimization: { outcome: 'no_improvement', best_iteration: 0 },
      });
      expect(json).toMatchObject({ problems: 3, pass_at_1: 1 });
      expect(json.iterations?.map((i) => [i.iteration, Number(i.time_pct.toFixed(4))])).toEqual([
        [0, 0.5],
        [1, 0.6667],
        [2, 0.6667],
      ]);
      // Every problem's result is in the results file once.
      expect([...scoredCode(results).keys()].sort()).toEqual([...THREE].sort());
    } finally {
      server.route(() => undefined);
    }
  });

  it('without --answers asks the model for a first solution, then optimises and scores it', async () => {
    const problems = problemsFile('generated.jsonl', THREE);
    const results = path.join(work, 'generated.results.jsonl');
    server.enqueue(
      // py-sum-squares: a correct first solution (the slow reference), then a faster candidate.
      replies.code('python', code(slowReference, 'py-sum-squares'), 'Here is a solution:'),
      replies.code('python', code(fastReference, 'py-sum-squares')),
      // py-two-sum: a wrong first solution; the loop stops at its failing baseline.
      replies.code('python', code(wrong, 'py-two-sum'), 'Here is a solution:'),
      // js-unique: prose without code; there is nothing to optimise.
      replies.prose('Use a Set to drop the repeats while keeping the order.'),
    );
    const run = await evalCli([
      problems,
      '--optimize',
      '--base-url',
      server.baseUrl,
      '--iterations',
      '1',
      '--results',
      results,
      ...common,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as Report;
    expect(server.pending()).toBe(0);
    expect(server.received.filter((r) => r.body?.messages)).toHaveLength(4);
    const first = server.received.find((r) => r.body?.messages)?.body;
    expect(first?.model).toBe('scripted-coder');
    expect(first?.messages?.[0]?.content).toContain('You write correct, efficient python code');
    expect(userText(0)).toContain('Return the sum of i*i for 0 <= i < n.');
    expect(userText(0)).toContain('a function named `sum_squares`');
    expect(userText(1)).toContain('def sum_squares(n):\n    total = 0'); // the loop improves the model's own start
    expect(userText(2)).toContain('a class `Solution` with a method `twoSum`');
    expect(userText(3)).toContain('a class `Solution` with a method `unique` in javascript');

    const p = byId(json);
    expect(p['py-sum-squares']).toMatchObject({
      passed: true,
      time_pct: 1,
      optimization: { outcome: 'improved', best_iteration: 1, start: 'model' },
    });
    expect(curveOf(p['py-sum-squares'])).toEqual([
      [0, true, 0.5],
      [1, true, 1],
    ]);
    expect(p['py-two-sum']).toMatchObject({
      passed: false,
      status: 'failed',
      time_pct: 0,
      beyond: 0,
      optimization: { outcome: 'failed', start: 'model' },
    });
    expect(p['py-two-sum']?.message).toMatch(/expected/);
    expect(curveOf(p['py-two-sum'])).toEqual([[0, false, 0]]);
    expect(p['js-unique']).toMatchObject({ passed: false, status: 'no_answer', time_pct: 0 });
    expect(p['js-unique']?.message).toContain('starting solution has no Solution.unique');

    // The model's start was what ran: the wrong one is scored as the model wrote it.
    expect(scoredCode(results).get('py-two-sum')).toBe(code(wrong, 'py-two-sum').trim());
    expect(json.pass_at_1).toBeCloseTo(1 / 3, 10);
    // A problem without a start counts as a failure at every iteration, as in the final figures.
    expect(
      json.iterations?.map((i) => [i.iteration, Number(i.pass_at_1.toFixed(4)), Number(i.time_pct.toFixed(4))]),
    ).toEqual([
      [0, 0.3333, 0.1667],
      [1, 0.3333, 0.3333],
    ]);
  });

  it('refuses --optimize without a model for a local server (exit 2, nothing asked)', async () => {
    const problems = problemsFile('one.jsonl', ['py-sum-squares']);
    const run = await evalCli([problems, '--optimize', '--base-url', server.baseUrl, '--sandbox', 'local', '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--optimize requires a model');
    expect(server.received).toHaveLength(0);
  });
});
