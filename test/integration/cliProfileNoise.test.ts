/**
 * `afterburner profile --json` says per call beside per round, and how busy the machine was: the
 * built CLI, the real local sandbox and both harnesses, and real CPU-bound processes beside it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, runCli, tempProject } from './cliBuild';

let cli: string;
let work: string;
let write: (rel: string, text: string) => string;

beforeAll(async () => {
  cli = await builtCli();
  ({ root: work, write } = tempProject('afterburner-cli-noise-'));
  write('pairs.py', 'def count_pairs(xs):\n    return sum(1 for a in xs for b in xs if a < b)\n');
  write(
    'test_pairs.py',
    'from pairs import count_pairs\n\ndef test_pairs():\n    assert count_pairs([1, 2, 3]) == 3\n' +
      '    assert count_pairs([3, 2]) == 1\n    assert count_pairs(list(range(20))) == 190\n',
  );
  write(
    'pairs.mjs',
    'export function countPairs(xs) {\n  let n = 0;\n  for (const a of xs) for (const b of xs) if (a < b) n++;\n  return n;\n}\n',
  );
  write(
    'pairs.test.mjs',
    "import test from 'node:test';\nimport assert from 'node:assert';\nimport { countPairs } from './pairs.mjs';\n" +
      "test('pairs', () => {\n  assert.equal(countPairs([1, 2, 3]), 3);\n  assert.equal(countPairs([3, 2]), 1);\n});\n",
  );
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Noise {
  busy: boolean;
  load1: number | null;
  cores: number | null;
  steal_share: number | null;
  throttled_share: number | null;
  samples_retaken: number | null;
  wait_share: number | null;
  reasons: string[];
}

interface Profile {
  status: string;
  calls: number;
  runtime_ms: { median: number; min: number; mean: number; samples: number };
  runtime_per_call_ms: { median: number; min: number; mean: number };
  noise: Noise;
}

async function profile(file: string, name: string, tests: string): Promise<Profile> {
  const run = await runCli(cli, [
    'profile',
    file,
    '--function',
    name,
    '--tests',
    tests,
    '--sandbox',
    'local',
    '--json',
  ]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Profile;
}

function expectNoiseShape(noise: Noise, samples: number): void {
  expect(typeof noise.busy).toBe('boolean');
  expect(noise.load1).toBeGreaterThanOrEqual(0);
  expect(noise.cores).toBeGreaterThan(0);
  expect(noise.samples_retaken).toBeGreaterThanOrEqual(0);
  expect(noise.samples_retaken).toBeLessThanOrEqual(samples);
  expect(Array.isArray(noise.reasons)).toBe(true);
  expect(noise.reasons.length > 0).toBe(noise.busy);
  // The local sandbox has no CPU quota to throttle it.
  expect(noise.throttled_share).toBeNull();
  if (process.platform === 'linux') {
    // The thread's schedstat and /proc/stat are there on Linux.
    expect(noise.wait_share).toBeGreaterThanOrEqual(0);
    expect(noise.wait_share).toBeLessThanOrEqual(1);
    expect(noise.steal_share).toBeGreaterThanOrEqual(0);
  }
}

describe('afterburner profile --json: per call and noise', () => {
  it.each([
    ['python', 'pairs.py', 'count_pairs', 'test_pairs.py', 3],
    ['javascript', 'pairs.mjs', 'countPairs', 'pairs.test.mjs', 2],
  ])(
    '%s: runtime per call is the round divided by the calls, and the noise is said',
    async (_l, file, name, tests, calls) => {
      const p = await profile(path.join(work, file), name, path.join(work, tests));
      expect(p.status).toBe('passed');
      expect(p.calls).toBe(calls);
      expect(p.runtime_per_call_ms.median).toBeCloseTo(p.runtime_ms.median / calls, 12);
      expect(p.runtime_per_call_ms.min).toBeCloseTo(p.runtime_ms.min / calls, 12);
      expectNoiseShape(p.noise, p.runtime_ms.samples);
    },
  );

  it('says the machine was busy with CPU-bound processes running beside it', async () => {
    const hogs: ChildProcess[] = [];
    try {
      const count = Math.max(2, os.availableParallelism());
      for (let i = 0; i < count; i++) hogs.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
      // Give the load average a moment to see them.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const p = await profile(path.join(work, 'pairs.py'), 'count_pairs', path.join(work, 'test_pairs.py'));
      expectNoiseShape(p.noise, p.runtime_ms.samples);
      // The load average moves slowly: it is asserted only where it did rise above the cores.
      if ((p.noise.load1 ?? 0) > (p.noise.cores ?? Infinity)) {
        expect(p.noise.busy).toBe(true);
        expect(p.noise.reasons.join('; ')).toMatch(/^load [\d.]+ on \d+ cores?/);
      }
    } finally {
      for (const hog of hogs) hog.kill('SIGKILL');
    }
  });
});
