/**
 * `afterburner profile` and `afterburner doctor` as a user runs them: the built CLI, the real local
 * sandbox and harness, exit codes and the JSON contract of design.md.
 */
import { rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, runCli, tempProject } from './cliBuild';

let cli: string;
let work: string;
let write: (rel: string, text: string) => string;

beforeAll(async () => {
  cli = await builtCli();
  ({ root: work, write } = tempProject('afterburner-cli-profile-'));
  write(
    'sorter.py',
    'def slow_sort(xs):\n    out = list(xs)\n    for i in range(len(out)):\n        for j in range(len(out) - 1 - i):\n' +
      '            if out[j] > out[j + 1]:\n                out[j], out[j + 1] = out[j + 1], out[j]\n    return out\n',
  );
  write(
    'test_sorter.py',
    'from sorter import slow_sort\n\ndef test_sort():\n    assert slow_sort([3, 1, 2]) == [1, 2, 3]\n    assert slow_sort(list(range(60, 0, -1))) == list(range(1, 61))\n',
  );
  write('wrong.py', 'def add(a, b):\n    return a - b\n');
  write('tests/test_wrong.py', 'from wrong import add\n\ndef test_add():\n    assert add(2, 3) == 5\n');
  write('spin.py', 'def spin(x):\n    while True:\n        x += 1\n');
  write('spin_test.py', 'from spin import spin\n\ndef test_spin():\n    spin(1)\n');
  write('untested.py', 'def lonely(x):\n    return x\n');
  write('nested.py', 'def outer(xs):\n    def key(x):\n        return -x\n    return sorted(xs, key=key)\n');
  write('script.rb', 'def f; end\n');
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const CONTRACT_KEYS = [
  'status',
  'language',
  'function',
  'sandbox',
  'isolation',
  'tests',
  'runtime_ms',
  'peak_memory_kb',
  'integral_kb_ms',
  'message',
];

describe('afterburner profile', () => {
  it('measures a passing function and prints one JSON object with --json', async () => {
    const run = await runCli(cli, [
      'profile',
      path.join(work, 'sorter.py'),
      '--function',
      'slow_sort',
      '--sandbox',
      'local',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const profile = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    for (const key of CONTRACT_KEYS) expect(profile).toHaveProperty(key);
    expect(profile).toMatchObject({
      status: 'passed',
      language: 'python',
      function: 'slow_sort',
      sandbox: 'local',
      tests: { passed: 1, failed: 0 },
    });
    const runtime = profile.runtime_ms as { median: number; min: number; mean: number; cv: number; samples: number };
    expect(runtime.median).toBeGreaterThan(0);
    expect(runtime.min).toBeLessThanOrEqual(runtime.median);
    expect(runtime.samples).toBeGreaterThan(0);
    expect(typeof profile.peak_memory_kb).toBe('number');
    expect(typeof profile.integral_kb_ms).toBe('number');
    expect(String(profile.isolation)).toMatch(/^local: /);
    // Progress goes to stderr, never into the JSON on stdout.
    expect(run.stderr).toContain('profiling slow_sort');
  });

  it('prints a short readable summary without --json', async () => {
    const run = await runCli(cli, [
      'profile',
      path.join(work, 'sorter.py'),
      '--function',
      'slow_sort',
      '--sandbox',
      'local',
      '--tests',
      path.join(work, 'test_sorter.py'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/slow_sort \(python\): passed/);
    expect(run.stdout).toMatch(
      /runtime +[\d.]+ (ns|µs|ms|s) per call \(2 recorded calls; [\d.]+ (ns|µs|ms|s) per round\) ± [\d.]+ %/,
    );
    expect(run.stdout).toMatch(/memory +peak/);
    expect(run.stdout).toMatch(/integral/);
    expect(run.stdout).toMatch(/sandbox +local: /);
  });

  it('exits 1 with the failing test when the code is wrong (tests found in tests/)', async () => {
    const run = await runCli(cli, [
      'profile',
      path.join(work, 'wrong.py'),
      '--function',
      'add',
      '--sandbox',
      'local',
      '--json',
    ]);
    expect(run.code).toBe(1);
    const profile = JSON.parse(run.stdout) as { status: string; tests: { failed: number }; message: string };
    expect(profile.status).toBe('failed');
    expect(profile.tests.failed).toBe(1);
    expect(profile.message).toContain('test_add');
  });

  it('exits 1 with status timeout when the run exceeds --timeout', async () => {
    const run = await runCli(cli, [
      'profile',
      path.join(work, 'spin.py'),
      '--function',
      'spin',
      '--sandbox',
      'local',
      '--timeout',
      '2',
      '--json',
    ]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'timeout' });
  });

  it('exits 2 with an actionable message for bad input', async () => {
    const missing = await runCli(cli, ['profile', path.join(work, 'nope.py'), '--function', 'f']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/File not found/);

    const ruby = await runCli(cli, ['profile', path.join(work, 'script.rb'), '--function', 'f']);
    expect(ruby.code).toBe(2);
    expect(ruby.stderr).toMatch(/Unsupported file type '.rb'.*\.py/);

    const noTests = await runCli(cli, ['profile', path.join(work, 'untested.py'), '--function', 'lonely', '--json']);
    expect(noTests.code).toBe(2);
    expect(noTests.stderr).toMatch(/No tests found for 'lonely'/);
    expect(noTests.stderr).toContain('test_untested.py');
    expect(noTests.stderr).toContain('--tests');
    expect(JSON.parse(noTests.stdout)).toMatchObject({ status: 'error' });

    const noFunction = await runCli(cli, ['profile', path.join(work, 'sorter.py'), '--function', 'quick_sort']);
    expect(noFunction.code).toBe(2);
    expect(noFunction.stderr).toMatch(/Function 'quick_sort' not found.*slow_sort/);

    // A helper declared inside a function: the function around it is what the tests can call.
    const nested = await runCli(cli, ['profile', path.join(work, 'nested.py'), '--function', 'outer.key']);
    expect(nested.code).toBe(2);
    expect(nested.stderr).toMatch(/'outer\.key' is defined inside outer.*Profile 'outer'/);
    const unknown = await runCli(cli, ['profile', path.join(work, 'nested.py'), '--function', 'inner']);
    expect(unknown.stderr).toMatch(/Functions there: outer\.$/m);

    const badSandbox = await runCli(cli, [
      'profile',
      path.join(work, 'sorter.py'),
      '--function',
      'slow_sort',
      '--sandbox',
      'vm',
    ]);
    expect(badSandbox.code).toBe(2);
    expect(badSandbox.stderr).toMatch(/auto, docker or local/);
  });

  it('exits 2 when --sandbox docker is asked for and no engine answers', async () => {
    const run = await runCli(
      cli,
      ['profile', path.join(work, 'sorter.py'), '--function', 'slow_sort', '--sandbox', 'docker'],
      {
        DOCKER_HOST: `unix://${path.join(work, 'no-such-docker.sock')}`,
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/No Docker engine answers.*--sandbox local/);
  });
});

describe('afterburner doctor', () => {
  let server: http.Server;
  let baseUrl: string;
  let seenAuth: string | undefined;
  const key = 'sk-doctor-test-key-123';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seenAuth = req.headers.authorization;
      if (req.url === '/v1/models' && req.headers.authorization === `Bearer ${key}`) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'tiny-coder', object: 'model' }] }));
      } else {
        res.writeHead(401).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reports backends, runtimes and a reachable model without printing the key', async () => {
    const run = await runCli(cli, ['doctor', '--json'], { AFTERBURNER_BASE_URL: baseUrl, AFTERBURNER_API_KEY: key });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      docker: { available: boolean; host: string };
      local: { available: boolean; isolation: string; bwrap: { usable: boolean } };
      auto: string;
      runtimes: { python: { version: string } | null; node: { version: string } };
      model: { reachable: boolean; models: string[]; key: string };
    };
    expect(report.local.available).toBe(true);
    expect(report.local.isolation).toMatch(/^local: /);
    expect(report.auto).toBe(report.docker.available ? 'docker' : 'local');
    expect(report.runtimes.python?.version).toMatch(/^3\./);
    expect(report.runtimes.node.version).toMatch(/^v\d+/);
    expect(report.model).toMatchObject({ reachable: true, models: ['tiny-coder'], key: 'AFTERBURNER_API_KEY' });
    expect(seenAuth).toBe(`Bearer ${key}`);
    expect(run.stdout + run.stderr).not.toContain(key);
  });

  it('says when the key is rejected, in readable text', async () => {
    const run = await runCli(cli, ['doctor'], { OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: 'sk-wrong-key' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/local +isolation: local: /);
    expect(run.stdout).toMatch(/answered 401: the key was rejected/);
    expect(run.stdout).not.toContain('sk-wrong-key');
  });
});
