// The local sandbox with the real harness: results, limits, cancellation, clean-up, and each
// weaker isolation level the machine offers (forced), so the fallbacks are exercised too.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { SandboxJob } from '../../src/core/sandboxTypes';
import { createLocalSandbox } from '../../src/adapters/localSandbox';
import { probeLocalCapabilities } from '../../src/adapters/localIsolation';
import { healthyJob, processesMarkedWith } from './hostileCases';

const MARKER = 'afterburner-localtest-';
const capabilities = probeLocalCapabilities();

function pythonJob(module: string, test: string, limits = { timeoutMs: 20_000, memoryMb: 256 }): SandboxJob {
  return {
    language: 'python',
    files: [
      { path: 'mod.py', content: module },
      { path: 'test_mod.py', content: test },
    ],
    modulePath: 'mod.py',
    testPaths: ['test_mod.py'],
    target: 'f',
    mode: { kind: 'test' },
    limits,
  };
}

function leftovers(): string[] {
  return [...processesMarkedWith(MARKER), ...readdirSync(tmpdir()).filter((n) => n.startsWith(MARKER))];
}

describe('local sandbox', () => {
  const sandbox = createLocalSandbox({ workDirPrefix: MARKER });

  it('profiles a passing function: tests, recording and a measurement', async () => {
    const job: SandboxJob = { ...healthyJob(), mode: { kind: 'profile' }, measure: { budgetMs: 200, maxSamples: 10 } };
    const result = await sandbox.run(job);
    expect(result.kind, result.output).toBe('passed');
    if (result.kind !== 'passed') return;
    expect(result.tests).toEqual({ passed: 1, failed: 0 });
    expect(result.measurement?.calls).toBe(1);
    expect(result.measurement?.runtimeMs.samples).toBeGreaterThan(0);
    expect(result.recording?.calls).toBe(1);
    expect(result.sandbox).toBe('local');
    // The isolation is stated per run, with that run's memory limit.
    expect(result.isolation).toMatch(/^local: /);
    if (capabilities.cgroup) expect(result.isolation).toContain('cgroup memory 256 MB');
  });

  // Each thread reserves a stack and a malloc arena: an address-space limit near the memory
  // limit made ten threads fail although they use almost nothing.
  const THREADS_MODULE = 'def f(n):\n    return sum(range(n))\n';
  const THREADS_TEST = [
    'import threading',
    'from mod import f',
    '',
    'def test_ten_threads():',
    '    barrier = threading.Barrier(10, timeout=5)',
    '    results = [None] * 10',
    '    def work(i):',
    '        barrier.wait()  # all ten alive at once, allocating side by side',
    '        chunks = [bytearray(256 * 1024) for _ in range(8)]',
    '        results[i] = f(1000 + i) + len(chunks)',
    '        barrier.wait()',
    '    threads = [threading.Thread(target=work, args=(i,)) for i in range(10)]',
    '    for t in threads:',
    '        t.start()',
    '    for t in threads:',
    '        t.join()',
    '    assert results == [sum(range(1000 + i)) + 8 for i in range(10)]',
    '',
  ].join('\n');

  it('runs a test with ten threads under the default memory limit (cgroup where available)', async () => {
    const result = await sandbox.run(pythonJob(THREADS_MODULE, THREADS_TEST, { timeoutMs: 20_000, memoryMb: 512 }));
    expect(result.kind, result.output).toBe('passed');
  });

  it('runs a test with ten threads under the default memory limit without a cgroup', async () => {
    const bare = createLocalSandbox({ workDirPrefix: MARKER, cgroup: false, isolation: 'rlimits' });
    const result = await bare.run(pythonJob(THREADS_MODULE, THREADS_TEST, { timeoutMs: 20_000, memoryMb: 512 }));
    expect(result.kind, result.output).toBe('passed');
    expect(result.isolation).toContain('no cgroup');
    await bare.dispose();
  });

  it('reports failing tests with their messages', async () => {
    const result = await sandbox.run(
      pythonJob('def f(x):\n    return x + 1\n', 'from mod import f\n\ndef test_f():\n    assert f(1) == 3\n'),
    );
    expect(result.kind).toBe('failed');
    if (result.kind === 'failed') expect(result.failures[0]?.message).toMatch(/assert/i);
  });

  it('runs JavaScript and TypeScript (transpiled on the host)', async () => {
    const ts: SandboxJob = {
      language: 'typescript',
      files: [
        { path: 'math.ts', content: 'export function add(a: number, b: number): number {\n  return a + b;\n}\n' },
        {
          path: 'math.test.ts',
          content:
            "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { add } from './math';\ntest('add', () => assert.equal(add(2, 3), 5));\n",
        },
      ],
      modulePath: 'math.ts',
      testPaths: ['math.test.ts'],
      target: 'add',
      mode: { kind: 'test' },
      limits: { timeoutMs: 20_000, memoryMb: 256 },
    };
    const result = await sandbox.run(ts);
    expect(result.kind, result.kind === 'error' || result.kind === 'crashed' ? result.message : result.output).toBe(
      'passed',
    );
  });

  it('runs a JavaScript job whose workspace folder the sandbox user cannot reach', async () => {
    // Like a project under a 0700 home folder: the sandbox user cannot even reach it.
    const home = mkdtempSync(path.join(tmpdir(), 'afterburner-private-home-'));
    chmodSync(home, 0o700);
    const workspace = path.join(home, 'project');
    mkdirSync(workspace);
    try {
      const job: SandboxJob = {
        language: 'javascript',
        files: [
          { path: 'add.mjs', content: 'export function add(a, b) {\n  return a + b;\n}\n' },
          {
            path: 'add.test.mjs',
            content:
              "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { add } from './add.mjs';\ntest('add', () => assert.equal(add(2, 3), 5));\n",
          },
        ],
        modulePath: 'add.mjs',
        testPaths: ['add.test.mjs'],
        target: 'add',
        mode: { kind: 'test' },
        limits: { timeoutMs: 20_000, memoryMb: 256 },
        workspaceRoot: workspace,
      };
      const result = await sandbox.run(job);
      expect(result.kind, result.kind === 'error' || result.kind === 'crashed' ? result.message : result.output).toBe(
        'passed',
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('refuses file paths that leave the work dir', async () => {
    const job = pythonJob('def f(x):\n    return x\n', '');
    const result = await sandbox.run({ ...job, files: [...job.files, { path: '../escape.py', content: '' }] });
    expect(result).toMatchObject({ kind: 'error', message: expect.stringContaining('leaves the work dir') });
  });

  it('cancels: the promise rejects and nothing of the run is left', async () => {
    const controller = new AbortController();
    const run = sandbox.run(
      pythonJob('def f(x):\n    while True:\n        pass\n', 'from mod import f\n\ndef test_f():\n    f(1)\n'),
      controller.signal,
    );
    setTimeout(() => controller.abort(new Error('stop')), 500);
    await expect(run).rejects.toThrow('stop');
    expect(leftovers()).toEqual([]);
  });

  const weaker = [['unshare', capabilities.unshare !== undefined] as const, ['rlimits', true] as const];
  for (const [level, available] of weaker) {
    describe.skipIf(!available)(`forced to ${level}`, () => {
      const forced = createLocalSandbox({ workDirPrefix: MARKER, isolation: level });

      it('says what is not isolated', () => {
        const isolation = forced.describe().isolation;
        expect(isolation).toMatch(
          level === 'rlimits' ? /network and filesystem are NOT isolated/ : /filesystem NOT isolated/,
        );
      });

      it('passes healthy code, scrubs the environment, and enforces time and memory', async () => {
        process.env.AFTERBURNER_API_KEY = 'sk-local-test-secret';
        try {
          const env = await forced.run(
            pythonJob(
              'import os\ndef f():\n    return os.environ.get("AFTERBURNER_API_KEY")\n',
              'from mod import f\n\ndef test_f():\n    assert f() is None\n',
            ),
          );
          expect(env.kind, env.output).toBe('passed');
        } finally {
          delete process.env.AFTERBURNER_API_KEY;
        }
        const loop = await forced.run(
          pythonJob('def f():\n    while True:\n        pass\n', 'from mod import f\n\ndef test_f():\n    f()\n', {
            timeoutMs: 3000,
            memoryMb: 256,
          }),
        );
        expect(loop).toMatchObject({ kind: 'timeout', limitMs: 3000 });
        const bomb = await forced.run(
          pythonJob(
            'def f():\n    hoard = []\n    while True:\n        hoard.append(b"x" * (8 << 20))\n',
            'from mod import f\n\ndef test_f():\n    f()\n',
            { timeoutMs: 30_000, memoryMb: 160 },
          ),
        );
        expect(bomb.kind, bomb.output).toBe('memory_limit');
        expect(leftovers()).toEqual([]);
      });

      it('stops a disk fill at the work dir limit', async () => {
        const small = createLocalSandbox({ workDirPrefix: MARKER, isolation: level, workDirMb: 16 });
        const result = await small.run(
          pythonJob(
            'def f():\n    chunk = b"\\0" * (1 << 20)\n    for i in range(64):\n        with open(f"fill{i}.bin", "wb") as out:\n            out.write(chunk * 4)\n',
            'from mod import f\n\ndef test_f():\n    f()\n',
          ),
        );
        expect(['failed', 'crashed', 'error'], result.output).toContain(result.kind);
        expect(leftovers()).toEqual([]);
      });
    });
  }
});
