// The `afterburner eval` command end to end on the local sandbox: the JSON contract, the results
// file and resuming from it, the HTML report; and `afterburner export` on a recorded history.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEval } from '../../src/cli/evalCommand';
import { runExport } from '../../src/cli/exportCommand';
import { appendRunHistory } from '../../src/adapters/runHistory';
import type { RunHistoryRecord } from '../../src/core/trainingPairs';
import { captureCli } from './cliCapture';

const work = mkdtempSync(path.join(tmpdir(), 'afterburner-eval-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('afterburner eval', () => {
  const problems = path.join(work, 'problems.jsonl');
  const answers = path.join(work, 'answers.correct.jsonl');
  copyFileSync('test/fixtures/eval/problems.jsonl', problems);
  copyFileSync('test/fixtures/eval/answers.correct.jsonl', answers);
  const results = path.join(work, 'problems.answers.correct.results.jsonl');
  const argv = [problems, '--answers', answers, '--sandbox', 'local', '--workers', '2', '--budget-ms', '300', '--json'];

  it('prints one JSON object with the contract fields and appends results next to the problems', async () => {
    const report = path.join(work, 'report.html');
    const r = await captureCli(runEval, [...argv, '--report', report]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown> & { per_problem: { id: string }[] };
    expect(json).toMatchObject({ problems: 5, pass_at_1: 1, time_pct: 0.5, beyond: 0 });
    for (const key of ['memory_pct', 'integral_pct']) expect(json[key]).toEqual(expect.any(Number));
    expect(json.per_problem.map((p) => p.id)).toEqual([
      'py-sum-squares',
      'py-two-sum',
      '9001',
      'js-count-primes',
      'js-unique',
    ]);
    expect(readFileSync(results, 'utf8').trim().split('\n')).toHaveLength(5);

    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // nothing to fetch: works offline
    expect(html).toContain('new Chart(');
    expect(html).toMatch(/Chart\.js v4/); // the library itself, inlined
    expect(html).toContain('<td>py-two-sum</td>');
    expect(JSON.parse(readFileSync(path.join(work, 'report.json'), 'utf8'))).toMatchObject({
      problems: 5,
      time_pct: 0.5,
    });
  });

  it('resumes: a rerun skips problems already in the results file and runs the rest', async () => {
    const lines = readFileSync(results, 'utf8').trim().split('\n');
    // Two finished problems and a line torn by an interrupted write.
    writeFileSync(results, `${lines[0]}\n${lines[1]}\n${(lines[2] ?? '').slice(0, 40)}`);
    const r = await captureCli(runEval, argv);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('resuming: 2 problem(s) already done');
    expect(r.stderr).toContain('3 problem(s) to run');
    const json = JSON.parse(r.stdout) as { problems: number; time_pct: number };
    expect(json).toMatchObject({ problems: 5, time_pct: 0.5 });
  });

  it('rejects bad usage with exit code 2', async () => {
    expect((await captureCli(runEval, [problems])).code).toBe(2);
    expect((await captureCli(runEval, [path.join(work, 'missing.jsonl'), '--answers', answers])).code).toBe(2);
  });
});

describe('afterburner export', () => {
  it('writes SFT and DPO pairs from the recorded history', async () => {
    const history = path.join(work, 'history.jsonl');
    const f = (runtimeMs: number) => ({ runtimeMs, runtimeCv: 0.01, peakMemoryKb: 10, integralKbMs: 100 });
    const record: RunHistoryRecord = {
      version: 1,
      id: 'r',
      at: '2025-01-01T00:00:00Z',
      source: 'cli',
      language: 'python',
      target: 'total',
      goal: 'time',
      attempts: [
        {
          iteration: 0,
          index: 0,
          code: 'def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s',
          status: 'passed',
          figures: f(8),
        },
        { iteration: 1, index: 0, code: 'def total(xs):\n    return sum(xs)', status: 'passed', figures: f(2) },
      ],
    };
    await appendRunHistory(history, record);
    const sft = await captureCli(runExport, ['--format', 'sft', '--from', history]);
    expect(sft.code).toBe(0);
    expect(
      sft.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { gain: number; completion: string }),
    ).toEqual([
      {
        prompt: expect.stringContaining('for x in xs'),
        completion: '```python\ndef total(xs):\n    return sum(xs)\n```',
        gain: 4,
      },
    ]);
    const out = path.join(work, 'dpo.jsonl');
    expect((await captureCli(runExport, ['--format', 'dpo', '--from', history, '--out', out])).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({
      chosen: expect.stringContaining('sum(xs)'),
      rejected: expect.stringContaining('for x in xs'),
      gain: 4,
    });
    expect((await captureCli(runExport, ['--format', 'csv', '--from', history])).code).toBe(2);
    expect(existsSync(path.join(work, 'nope.jsonl'))).toBe(false);
    expect((await captureCli(runExport, ['--format', 'sft', '--from', path.join(work, 'nope.jsonl')])).code).toBe(2);
  });
});
