/**
 * `afterburner profile` on a function whose heaviest call cannot be replayed (its input is too
 * large to copy): that call is timed in place, where the test makes it, and the profile says so in
 * `--json` (`in_place`, with what the replays and it cover together), in the text and in a note.
 * The built CLI and the real local sandbox, with pytest where the interpreter has it, else without.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replies, startScriptedOpenAiServer, type ScriptedOpenAiServer } from '../support/scriptedOpenAiServer';
import { builtCli, runCli, tempProject } from './cliBuild';

let cli: string;
let work: string;
let onlyLarge: string;
let server: ScriptedOpenAiServer;

// One pass each for max and min instead of a sort: several times faster on the 600,000 readings,
// about the same on the 3 the replays see.
const FASTER = 'def spread(values):\n    return max(values) - min(values)\n';
// A sort through a key function: far slower on the 600,000 readings, about the same on 3.
const SLOWER =
  'def spread(values):\n    ordered = sorted(values, key=lambda v: -v)\n    return ordered[0] - ordered[-1]\n';

beforeAll(async () => {
  server = await startScriptedOpenAiServer({ models: ['scripted-coder'] });
  cli = await builtCli();
  let write: (rel: string, text: string) => string;
  ({ root: work, write } = tempProject('afterburner-cli-in-place-'));
  write('readings.py', 'def spread(values):\n    ordered = sorted(values)\n    return ordered[-1] - ordered[0]\n');
  write(
    'test_readings.py',
    'from readings import spread\n\n\ndef test_a_few():\n    assert spread([3.0, 1.0, 2.0]) == 2.0\n\n\n' +
      'def test_a_day_of_readings():\n    # Over 4 MB to copy: the recording leaves this call out.\n' +
      '    day = [float(i % 1000) for i in range(600_000)]\n    assert spread(day) == 999.0\n',
  );
  // Every call too large to copy: the recording holds none, so the function is timed in place alone.
  let writeLarge: (rel: string, text: string) => string;
  ({ root: onlyLarge, write: writeLarge } = tempProject('afterburner-cli-in-place-only-'));
  writeLarge('readings.py', 'def spread(values):\n    ordered = sorted(values)\n    return ordered[-1] - ordered[0]\n');
  writeLarge(
    'test_readings.py',
    'from readings import spread\n\n\ndef test_a_day_of_readings():\n' +
      '    assert spread([float(i % 1000) for i in range(500_000)]) == 999.0\n\n\n' +
      'def test_a_week_of_readings():\n    assert spread([float(i % 7000) for i in range(520_000)]) == 6999.0\n',
  );
});

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  if (onlyLarge) rmSync(onlyLarge, { recursive: true, force: true });
});

interface Profile {
  status: string;
  calls: number;
  calls_made: number;
  coverage: number;
  runtime_ms: { median: number };
  runtime_basis?: string;
  runtime_per_call_ms: { median: number } | null;
  peak_memory_kb: number | null;
  integral_kb_ms: number | null;
  notes: string[];
  in_place?: { runtime_ms: { median: number; samples: number }; calls: number; tests: number; coverage: number };
}

describe('afterburner profile: calls that cannot be replayed are timed in place', () => {
  it('times the 600,000-reading call where its test makes it and says what the figures cover', async () => {
    const args = ['profile', path.join(work, 'readings.py'), '--function', 'spread', '--sandbox', 'local'];
    const json = await runCli(cli, [...args, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const p = JSON.parse(json.stdout) as Profile;
    expect(p.status).toBe('passed');
    expect(p.calls_made).toBe(2);
    expect(p.calls).toBe(1);
    expect(p.coverage).toBeLessThan(0.05);
    expect(p.in_place).toMatchObject({ calls: 1, tests: 1 });
    expect(p.in_place?.coverage).toBeGreaterThan(0.99);
    expect(p.in_place?.runtime_ms.samples).toBeGreaterThanOrEqual(3);
    // 600,000 readings against 3: the call that matters is the one timed in place.
    expect(p.in_place?.runtime_ms.median).toBeGreaterThan(1000 * p.runtime_ms.median);
    expect(p.notes.join('\n')).toMatch(/so they were timed in place, in \d+ runs of the 1 test making them/);
    const text = await runCli(cli, args);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/ {2}in place {2}[\d.]+ ms a run ± [\d.]+ % \(median of \d+ runs of the 1 test making/);
  });

  it('optimize judges candidates on the calls timed in place, side by side with the best so far', async () => {
    const result = await optimizeSlowerThenFaster(path.join(work, 'readings.py'));
    expect(result.baseline.in_place?.calls).toBe(1);
  });
});

describe('afterburner profile: when no call can be recorded, the function is timed in place alone', () => {
  it('gives runtime and memory of the calls where the tests make them, and says that is what they are', async () => {
    const args = ['profile', path.join(onlyLarge, 'readings.py'), '--function', 'spread', '--sandbox', 'local'];
    const json = await runCli(cli, [...args, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const p = JSON.parse(json.stdout) as Profile;
    expect(p.status).toBe('passed');
    expect(p.runtime_basis).toBe('in_place');
    expect(p.calls).toBe(0);
    expect(p.calls_made).toBe(2);
    expect(p.in_place).toMatchObject({ calls: 2, tests: 2 });
    expect(p.in_place?.coverage).toBeGreaterThan(0.99);
    expect(p.runtime_ms.median).toBe(p.in_place?.runtime_ms.median);
    expect(p.runtime_per_call_ms?.median).toBeCloseTo(p.runtime_ms.median / 2, 6);
    // sorted() copies 500,000 and 520,000 references (8 bytes each) and sorts with a buffer of half.
    expect(p.peak_memory_kb).toBeGreaterThan(4000);
    expect(p.peak_memory_kb).toBeLessThan(20_000);
    expect(p.integral_kb_ms).toBeGreaterThan(0);
    expect(p.notes.join('\n')).toMatch(/no call could be recorded .*so every figure is from the calls timed in place/);
    const text = await runCli(cli, args);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      / {2}runtime {3}[\d.]+ ms per call \(2 calls timed in place; [\d.]+ ms per run of the tests\)/,
    );
    expect(text.stdout).toMatch(
      / {2}calls {5}0 recorded of 2 made by the tests; every figure is from the calls timed in place/,
    );
  });

  it('optimize judges candidates in place, side by side with the best so far', async () => {
    const result = await optimizeSlowerThenFaster(path.join(onlyLarge, 'readings.py'));
    expect(result.baseline.runtime_basis).toBe('in_place');
    // max() and min() copy nothing: its memory, measured in place too, is far below sorted()'s.
    expect(result.iterations[0]?.candidates[1]?.peak_memory_kb).toBeLessThan(1000);
    // Three check runs of paired in-place timing (up to 20 s each) and their memory runs: beside
    // two CPU hogs this has taken 80 s.
  }, 240_000);
});

interface OptimizeResult {
  status: string;
  baseline: Profile;
  iterations: { candidates: { accepted: boolean; reason: string; peak_memory_kb: number | null }[] }[];
  best: { speedup: number };
}

/**
 * `optimize FILE` with a slower, then a faster reply: both judged side by side on the calls timed
 * in place, the faster kept, FILE left as it was.
 */
async function optimizeSlowerThenFaster(file: string): Promise<OptimizeResult> {
  const before = readFileSync(file, 'utf8');
  server.enqueue(replies.code('python', SLOWER), replies.code('python', FASTER));
  const options = '--function spread --sandbox local --iterations 1 --candidates 2 --json'.split(' ');
  const run = await runCli(cli, ['optimize', file, ...options], {
    AFTERBURNER_BASE_URL: server.baseUrl,
    AFTERBURNER_MODEL: 'scripted-coder',
    AFTERBURNER_API_KEY: 'sk-local-test-key',
  });
  expect(run.code, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as OptimizeResult;
  const [slower, faster] = result.iterations[0]?.candidates ?? [];
  expect(slower?.accepted).toBe(false);
  expect(slower?.reason).toMatch(
    /slower than the best so far side by side on the calls timed in place, where the tests make them/,
  );
  expect(faster?.accepted).toBe(true);
  expect(faster?.reason).toMatch(
    /^accepted: [\d.]+× faster than the best so far side by side on the calls timed in place/,
  );
  expect(result.status).toBe('improved');
  // The side-by-side verdict above is the check; the figure only has to point the same way (two
  // CPU hogs beside it brought a ~2× pair down to 1.26×).
  expect(result.best.speedup).toBeGreaterThan(1);
  // Nothing is written without the user's accept.
  expect(readFileSync(file, 'utf8')).toBe(before);
  return result;
}
