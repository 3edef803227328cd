/**
 * `afterburner optimize` end to end: the built CLI, the real local sandbox running the Python
 * harness, and the real OpenAI adapter talking HTTP to a scripted OpenAI-compatible server.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replies, startScriptedOpenAiServer, type ScriptedOpenAiServer } from '../support/scriptedOpenAiServer';

const repo = path.resolve(__dirname, '../..');
const cli = path.join(repo, 'dist/cli.js');
const example = path.join(repo, 'examples/python-common-items');

const FASTER = `def common_items(first, second):
    wanted = set(second)
    seen = set()
    result = []
    for item in first:
        if item in wanted and item not in seen:
            seen.add(item)
            result.append(item)
    return result`;
const WRONG = `def common_items(first, second):
    return list(set(first) & set(second))`;
const SLOWER = `def common_items(first, second):
    result = []
    for item in first:
        if item in list(second) and item not in list(result):
            result.append(item)
    return result`;
const SYNTAX_ERROR = `def common_items(first, second)
    return [x for x in first if x in second]`;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `afterburner optimize ARGS` (or `afterburner ARGS` with `verbGiven`). */
function runCli(
  args: string[],
  env: Record<string, string>,
  whileRunning?: (pid: number) => Promise<void>,
  verbGiven = false,
): Promise<Run> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AFTERBURNER_|OPENAI_)/.test(k)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...(verbGiven ? [] : ['optimize']), ...args], {
      env: { ...clean, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    void whileRunning?.(child.pid ?? 0);
  });
}

let server: ScriptedOpenAiServer;
let work: string;
let file: string;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build first.');
  server = await startScriptedOpenAiServer({ models: ['scripted-coder'] });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'afterburner-cli-optimize-'));
  cpSync(example, work, { recursive: true });
  file = path.join(work, 'inventory.py');
  server.received.length = 0;
  return () => rmSync(work, { recursive: true, force: true });
});

const modelEnv = (): Record<string, string> => ({
  AFTERBURNER_BASE_URL: server.baseUrl,
  AFTERBURNER_MODEL: 'scripted-coder',
  AFTERBURNER_API_KEY: 'sk-local-test-key',
});
const baseArgs = (): string[] => [file, '--function', 'common_items', '--sandbox', 'local', '--timeout', '60'];

describe('afterburner optimize', () => {
  it('keeps the faster correct candidate, rejects wrong, slower, truncated, broken and prose replies, and leaves FILE alone', async () => {
    const before = readFileSync(file, 'utf8');
    server.enqueue(
      replies.code('python', WRONG, 'Use sets:'),
      replies.code('python', FASTER),
      replies.code('python', SLOWER),
      replies.truncated('python', FASTER.replace('seen = set()', 'seen = {0}')),
      replies.code('python', SYNTAX_ERROR),
      replies.prose(),
    );
    const run = await runCli([...baseArgs(), '--iterations', '3', '--candidates', '2', '--json'], modelEnv());
    expect(run.stderr).toMatch(/iteration 1\/3/);
    const result = JSON.parse(run.stdout);
    expect(run.code, run.stderr).toBe(0);
    expect(result.status).toBe('improved');
    expect(result.baseline.status).toBe('passed');
    expect(result.baseline.tests.passed).toBe(4);
    expect(result.best.iteration).toBe(1);
    expect(result.best.code).toBe(FASTER);
    expect(result.best.speedup).toBeGreaterThan(1);
    expect(typeof result.best.memory_ratio).toBe('number');

    const candidates = result.iterations.flatMap((i: { candidates: unknown[] }) => i.candidates) as {
      status: string;
      accepted: boolean;
      reason: string;
      code: string;
      runtime_ms: { median: number } | null;
    }[];
    expect(result.iterations.map((i: { index: number }) => i.index)).toEqual([1, 2, 3]);
    expect(candidates.map((c) => [c.status, c.accepted])).toEqual([
      ['failed', false],
      ['passed', true],
      ['passed', false],
      ['no_code', false],
      // A module that does not import is the harness's 'error', with the SyntaxError as message.
      ['error', false],
      ['no_code', false],
    ]);
    expect(candidates.filter((c) => c.accepted).every((c) => c.status === 'passed')).toBe(true);
    expect(candidates[0]?.reason).toMatch(/test_keeps_order_of_first_and_drops_repeats/);
    expect(candidates[2]?.reason).toMatch(/slower/);
    expect(candidates[3]?.reason).toMatch(/cut off/);
    expect(candidates[4]?.reason).toMatch(/SyntaxError|syntax/i);
    expect(candidates[5]?.reason).toBe('rejected: no code in the reply');
    expect(candidates[1]?.runtime_ms?.median).toBeGreaterThan(0);
    // Per call beside per round, and how busy the machine was, on the baseline and the best.
    const base = result.baseline;
    expect(base.runtime_per_call_ms.median).toBeCloseTo(base.runtime_ms.median / base.calls, 12);
    expect(typeof base.noise.busy).toBe('boolean');
    expect(result.best.runtime_per_call_ms.median).toBeCloseTo(result.best.runtime_ms.median / result.best.calls, 12);

    // The model saw the measured numbers, and the failure text of the previous round.
    const prompts = server.received
      .filter((r) => r.path.startsWith('/v1/chat/completions'))
      .map((r) => r.body?.messages?.map((m) => m.content).join('\n') ?? '');
    expect(prompts).toHaveLength(6);
    const baselineMedian = result.baseline.runtime_ms.median as number;
    expect(prompts[0]).toMatch(/ms median per replay of 5 recorded calls/);
    expect(prompts[0]).toContain(baselineMedian >= 1 ? baselineMedian.toFixed(3) : baselineMedian.toPrecision(3));
    expect(prompts[0]).toContain('def test_keeps_order_of_first_and_drops_repeats');
    expect(prompts[0]).toMatch(/## Hot lines of the original\n- line \d+ \(\d+ % of the time/);
    expect(prompts[2]).toContain('test_keeps_order_of_first_and_drops_repeats');
    expect(prompts[2]).toContain('set(first) & set(second)');
    expect(prompts[2]).toMatch(/## Current best version[\s\S]*wanted = set\(second\)/);
    expect(prompts[4]).toMatch(/Candidate 1: passed — rejected: .*slower/);
    expect(prompts[4]).toMatch(/Candidate 2: reply not usable — rejected: the reply was cut off/);
    expect(server.received[0]?.headers.authorization).toBe('Bearer sk-local-test-key');

    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(server.pending()).toBe(0);
  });

  it('repairs its way past a 429, prose, a wrong and a broken reply to the fast version, and explains it', async () => {
    server.enqueue(
      // Retry-After beyond the adapter's wait cap: the 429 reaches the loop as a miss.
      replies.status(429, { 'retry-after': '120' }, 'Rate limit reached for requests'),
      replies.prose(),
      replies.code('python', WRONG, 'Use sets:'),
      replies.code('python', SYNTAX_ERROR),
      replies.code('python', FASTER, 'A set makes each membership test O(1) instead of a scan of the list.'),
      replies.code('python', SLOWER),
    );
    const run = await runCli([...baseArgs(), '--iterations', '6', '--candidates', '1', '--json'], modelEnv());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe('improved');
    expect(result.stop).toBe('completed');
    expect(result.best.iteration).toBe(5);
    expect(result.best.code).toBe(FASTER);
    expect(result.best.explanation.model).toBe('A set makes each membership test O(1) instead of a scan of the list.');
    expect(result.best.explanation.measured.join('\n')).toMatch(/The original spent \d+ % of its time on line \d+/);
    expect(result.best.summary).toMatch(/faster, peak memory/);
    const statuses = result.iterations.map((i: { candidates: { status: string }[] }) => i.candidates[0]?.status);
    expect(statuses).toEqual(['model_error', 'no_code', 'failed', 'error', 'passed', 'passed']);
    expect(result.message).toMatch(
      /^Ran all 6 iteration\(s\) \(4 repaired a failed or unusable answer\)\. Best: iteration 5, /,
    );

    // Each later prompt carries what went wrong just before it.
    const prompts = server.received
      .filter((r) => r.path.startsWith('/v1/chat/completions'))
      .map((r) => r.body?.messages?.map((m) => m.content).join('\n') ?? '');
    expect(prompts).toHaveLength(6);
    expect(prompts[1]).toMatch(/Candidate 1: no reply — rejected: the model did not answer \(.*HTTP 429/);
    expect(prompts[2]).toMatch(/Candidate 1: reply not usable — rejected: no code in the reply/);
    expect(prompts[3]).toContain('test_keeps_order_of_first_and_drops_repeats');
    expect(prompts[3]).toContain('set(first) & set(second)');
    expect(prompts[4]).toMatch(/SyntaxError/);
    expect(prompts[5]).toMatch(/## Current best version[\s\S]*wanted = set\(second\)/);
    expect(server.pending()).toBe(0);
  });

  it('writes the best version with --write, keeping the rest of the module', async () => {
    server.enqueue(replies.code('python', FASTER));
    const run = await runCli([...baseArgs(), '--iterations', '1', '--candidates', '1', '--write'], modelEnv());
    expect(run.code, run.stderr).toBe(0);
    const after = readFileSync(file, 'utf8');
    expect(after).toContain('wanted = set(second)');
    expect(after).toContain('def total_quantity(stock):\n    """Sum of the quantities');
    expect(after.startsWith('"""A small inventory module')).toBe(true);
    expect(run.stdout).toMatch(/^improved:/);
    expect(run.stdout).toMatch(
      /best {6}iteration 1: [\d.]+ (ns|µs|ms|s) per call \(\d+ recorded calls?; [\d.]+ (ns|µs|ms|s) per round\) median, [\d.]+× faster, peak memory/,
    );
    expect(run.stdout).toMatch(
      /original {2}[\d.]+ (ns|µs|ms|s) per call \(\d+ recorded calls?; [\d.]+ (ns|µs|ms|s) per round\) median/,
    );
    expect(run.stdout).toContain('Why, in the model’s words:\n  Here is a faster version:');
    expect(run.stdout).toMatch(/What the measurements show:\n {2}- The original spent \d+ % of its time/);
  });

  it('records the run in the opt-in history, which export turns into a (slower, faster) pair', async () => {
    server.enqueue(replies.code('python', FASTER));
    const history = path.join(work, 'history.jsonl');
    const run = await runCli([...baseArgs(), '--iterations', '1', '--candidates', '1', '--json'], {
      ...modelEnv(),
      AFTERBURNER_HISTORY: history,
    });
    expect(run.code, run.stderr).toBe(0);
    const record = JSON.parse(readFileSync(history, 'utf8').trim()) as {
      source: string;
      attempts: { status: string; code: string }[];
    };
    expect(record.source).toBe('cli');
    expect(record.attempts.map((a) => a.status)).toEqual(['passed', 'passed']);
    const exported = await runCli(['export', '--format', 'dpo', '--from', history], {}, undefined, true);
    expect(exported.code, exported.stderr).toBe(0);
    const pair = JSON.parse(exported.stdout.trim().split('\n')[0] ?? '{}') as {
      chosen: string;
      rejected: string;
      gain: number;
    };
    expect(pair.chosen).toContain('wanted = set(second)');
    expect(pair.rejected).toContain('def common_items');
    expect(pair.gain).toBeGreaterThan(1);
  });

  it('refuses --write when FILE changed on disk during the run', async () => {
    server.enqueue({ kind: 'text', text: '```python\n' + FASTER + '\n```', delayMs: 1500 });
    const run = await runCli(
      [...baseArgs(), '--iterations', '1', '--candidates', '1', '--write', '--json'],
      modelEnv(),
      async () => {
        while (server.received.length === 0) await new Promise((r) => setTimeout(r, 50));
        writeFileSync(file, readFileSync(file, 'utf8') + '\n# edited meanwhile\n');
      },
    );
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe('improved');
    expect(result.written).toBe(false);
    expect(result.write_refused).toMatch(/changed on disk/);
    const after = readFileSync(file, 'utf8');
    expect(after).toContain('# edited meanwhile');
    expect(after).not.toContain('wanted = set(second)');
  });

  it('stops promptly on Ctrl-C while waiting for the model, reporting it cancelled', async () => {
    server.enqueue({ kind: 'hang' });
    const run = await runCli([...baseArgs(), '--json', '--write'], modelEnv(), async (pid) => {
      while (server.received.length === 0) await new Promise((r) => setTimeout(r, 50));
      process.kill(pid, 'SIGINT');
    });
    expect(run.code).toBe(130);
    const result = JSON.parse(run.stdout);
    expect(result.cancelled).toBe(true);
    expect(result.written).toBe(false);
    expect(result.baseline.status).toBe('passed');
  });

  it('reports no_improvement with exit 1 when nothing is better', async () => {
    server.enqueue(replies.code('python', SLOWER), replies.prose());
    const run = await runCli([...baseArgs(), '--iterations', '2', '--candidates', '1', '--json'], modelEnv());
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe('no_improvement');
    expect(result.best.iteration).toBe(0);
    expect(result.best.speedup).toBe(1);
  });

  it('fails with exit 1 and the failure text when the original fails its tests, without asking the model', async () => {
    writeFileSync(file, readFileSync(file, 'utf8').replace('result.append(item)', 'result.insert(0, item)'));
    const run = await runCli([...baseArgs(), '--json'], modelEnv());
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe('failed');
    expect(result.baseline.status).toBe('failed');
    expect(result.message).toMatch(/The original failed .*test_keeps_order_of_first_and_drops_repeats/);
    expect(result.message).toMatch(/Next step/);
    expect(server.received).toHaveLength(0);
  });

  it('stops with a clear message when the endpoint refuses the key', async () => {
    server.enqueue(replies.status(401, {}, 'Incorrect API key provided: sk-local-test-key'));
    const run = await runCli([...baseArgs(), '--json'], modelEnv());
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/refused the API key \(HTTP 401\)/);
    expect(run.stdout + run.stderr).not.toContain('sk-local-test-key');
  });

  it('optimizes an exported JavaScript function, bringing along the helper the candidate defines', async () => {
    const js = path.join(work, 'dedupe.mjs');
    writeFileSync(
      js,
      '// Keep first occurrences.\nexport function dedupe(items) {\n  const out = [];\n  for (const x of items) {\n    if (!out.includes(x)) out.push(x);\n  }\n  return out;\n}\n',
    );
    writeFileSync(
      path.join(work, 'dedupe.test.mjs'),
      "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { dedupe } from './dedupe.mjs';\n" +
        "test('keeps first occurrences', () => assert.deepEqual(dedupe([3, 1, 3, 2, 1]), [3, 1, 2]));\n" +
        "test('large', () => assert.equal(dedupe(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 1500)).length, 1500));\n",
    );
    server.enqueue(
      replies.code(
        'javascript',
        'const unique = (xs) => [...new Set(xs)];\n\nexport function dedupe(items) {\n  return unique(items);\n}\n\nconsole.log(dedupe([1, 1]));',
        'Use a Set:',
      ),
    );
    const run = await runCli(
      [js, '--function', 'dedupe', '--sandbox', 'local', '--iterations', '1', '--candidates', '1', '--write', '--json'],
      modelEnv(),
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.baseline.language).toBe('javascript');
    expect(result.best.code).toBe('export function dedupe(items) {\n  return unique(items);\n}');
    const after = readFileSync(js, 'utf8');
    expect(after).toBe(
      'const unique = (xs) => [...new Set(xs)];\n\n// Keep first occurrences.\nexport function dedupe(items) {\n  return unique(items);\n}\n',
    );
  });

  it('exits 2 on bad usage, saying what is wrong', async () => {
    const noModel = await runCli([...baseArgs()], { AFTERBURNER_BASE_URL: server.baseUrl });
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/No model named .*--model NAME or set AFTERBURNER_MODEL/);
    const noKey = await runCli([...baseArgs()], {});
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/No API key .*AFTERBURNER_API_KEY/);
    const badPatience = await runCli([...baseArgs(), '--patience', '2.5'], modelEnv());
    expect(badPatience.code).toBe(2);
    expect(badPatience.stderr).toMatch(/--patience must be a whole number \(0 or more\), got '2.5'/);
    const badGoal = await runCli([...baseArgs(), '--goal', 'speed'], modelEnv());
    expect(badGoal.code).toBe(2);
    expect(badGoal.stderr).toMatch(/--goal must be time, memory or integral/);
    const missing = await runCli([file, '--function', 'nope', '--sandbox', 'local'], modelEnv());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/'nope' not found/);
    expect(server.received).toHaveLength(0);
  });
});
