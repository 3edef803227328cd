/**
 * `afterburner eval` over Docker: the fixture set (Python, JavaScript, a Venus stdin/stdout row) on
 * two workers spread over the engines given by a repeated --docker-host, or by --hosts-file (here
 * both entries name the same engine). The deterministic figures must be those of the local run,
 * and every container the run started must be gone when the command returns.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEval } from '../../src/cli/evalCommand';
import { captureCli } from './cliCapture';
import { resolveDockerHost } from '../../src/adapters/dockerEngine';
import { useDockerEngine } from './dockerForTests';

const engine = useDockerEngine();
const fixtures = path.resolve(__dirname, '../fixtures/eval');
const work = mkdtempSync(path.join(tmpdir(), 'afterburner-eval-docker-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const problems = path.join(work, 'problems.jsonl');
copyFileSync(path.join(fixtures, 'problems.jsonl'), problems);
const ids = ['py-sum-squares', 'py-two-sum', '9001', 'js-count-primes', 'js-unique'];

const evalCli = (argv: string[]) => captureCli(runEval, argv);

interface Report {
  problems: number;
  pass_at_1: number;
  time_pct: number;
  memory_pct: number;
  integral_pct: number;
  beyond: number;
  speedup: number | null;
  per_problem: {
    id: string;
    passed: boolean;
    status: string;
    message?: string;
    time_pct: number;
    beyond: number;
    references: { passed: number; total: number };
    differential: string;
  }[];
  meta: { sandbox: string; workers: number };
}

/** Containers of this process (the eval runs in it) that carry the sandbox label, running or not. */
async function ourContainers(): Promise<{ id: string; sandbox: string }[]> {
  const found = await engine().docker.listContainers({
    all: true,
    filters: { label: ['afterburner=1', `afterburner.pid=${process.pid}`] },
  });
  return found.map((c) => ({ id: `${c.Id.slice(0, 12)} ${c.State}`, sandbox: c.Labels['afterburner.sandbox'] ?? '' }));
}

/** The run's report, after checking that it ran on two sandboxes and left no container behind. */
async function evaluate(answers: string, hostArgs: string[]): Promise<Report> {
  // Watch the engine while the run goes: each worker has a sandbox of its own, with its containers.
  const sandboxes = new Set<string>();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      for (const c of await ourContainers()) sandboxes.add(c.sandbox);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const run = await evalCli([
    problems,
    '--answers',
    path.join(fixtures, answers),
    ...hostArgs,
    '--workers',
    '2',
    '--budget-ms',
    '300',
    '--fresh',
    '--results',
    path.join(work, `${answers}.results`),
    '--json',
  ]);
  watching = false;
  await watch;
  expect(run.code, run.stderr).toBe(0);
  expect(sandboxes.size).toBe(2);
  const report = JSON.parse(run.stdout) as Report;
  expect(report.meta).toMatchObject({ workers: 2, sandbox: expect.stringMatching(/^docker \(/) });
  expect(report.per_problem.map((p) => p.id)).toEqual(ids);
  // Every reference passes in the container too; otherwise the figures below would mean nothing.
  for (const p of report.per_problem)
    expect({ id: p.id, references: p.references }).toEqual({ id: p.id, references: { passed: 2, total: 2 } });
  expect(await ourContainers()).toEqual([]);
  return report;
}

describe('afterburner eval over Docker, two workers', () => {
  it('scores a copy of the fast reference as the local run does (--docker-host twice)', async () => {
    const host = resolveDockerHost();
    const r = await evaluate('answers.fast.jsonl', ['--docker-host', host, '--docker-host', host]);
    expect(r.meta.sandbox).toBe(`docker (${host}, ${host})`);
    expect(r).toMatchObject({ problems: 5, pass_at_1: 1, time_pct: 1, beyond: 1 });
    expect(r.per_problem.map((p) => [p.id, p.passed, p.time_pct, p.differential])).toEqual(
      ids.map((id) => [id, true, 1, 'agreed']),
    );
    expect(r.speedup).toBeGreaterThan(3);
  });

  it('fails a wrong answer with the test that caught it and scores it 0 (--hosts-file)', async () => {
    const host = resolveDockerHost();
    const hostsFile = path.join(work, 'hosts.txt');
    writeFileSync(
      hostsFile,
      `# the engines to spread the workers over\n${host}\n\n${host}  # again: a second worker on it\n`,
    );
    const r = await evaluate('answers.wrong.jsonl', ['--hosts-file', hostsFile]);
    expect(r.meta.sandbox).toBe(`docker (${host}, ${host})`);
    expect(r).toMatchObject({ pass_at_1: 0, time_pct: 0, memory_pct: 0, integral_pct: 0, beyond: 0, speedup: null });
    expect(r.per_problem.map((p) => [p.id, p.status])).toEqual(ids.map((id) => [id, 'failed']));
    expect(r.per_problem.find((p) => p.id === 'js-unique')?.message).toContain('expected [3,1,2], got [3,1,3,2,1]');
    expect(r.per_problem.find((p) => p.id === '9001')?.message).toMatch(/expected '2\\n', got '3\\n'/);
  });
});
