/**
 * `afterburner profile --sizes` as a user runs it: the built CLI, the local sandbox and the Python
 * harness measure a function at growing sizes with the `afterburner_inputs(size)` beside its tests,
 * and the fitted class tells a quadratic function from a linear one.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, runCli, tempProject } from './cliBuild';

let cli: string;
let work: string;
let write: (rel: string, text: string) => string;

beforeAll(async () => {
  cli = await builtCli();
  ({ root: work, write } = tempProject('afterburner-cli-sizes-'));
  write(
    'quadratic/pairs.py',
    'def equal_pairs(values):\n    count = 0\n    for i in range(len(values)):\n        for j in range(i + 1, len(values)):\n' +
      '            if values[i] == values[j]:\n                count += 1\n    return count\n',
  );
  write(
    'quadratic/test_pairs.py',
    'from pairs import equal_pairs\n\n\ndef test_pairs():\n    assert equal_pairs([1, 2, 1, 1]) == 3\n\n\n' +
      'def afterburner_inputs(size):\n    return ([i % 7 for i in range(size)],)\n',
  );
  write('linear/total.py', 'def total(values):\n    s = 0\n    for v in values:\n        s += v\n    return s\n');
  write('linear/test_total.py', 'from total import total\n\n\ndef test_total():\n    assert total([1, 2, 3]) == 6\n');
  // Beside the tests in a file of its own, the other place the harness looks.
  write('linear/afterburner_inputs.py', 'def afterburner_inputs(size):\n    return (list(range(size)),)\n');
  write('raising/double.py', 'def double(x):\n    return 2 * x\n');
  write(
    'raising/test_double.py',
    'from double import double\n\n\ndef test_double():\n    assert double(2) == 4\n\n\n' +
      'def afterburner_inputs(size):\n    raise ValueError("no inputs of size %d" % size)\n',
  );
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface ClassJson {
  readonly class: string | null;
  readonly label?: string;
}

interface SizesProfile {
  readonly status: string;
  readonly complexity?: {
    readonly time: ClassJson;
    readonly memory: ClassJson;
    readonly summary: string;
    readonly points: readonly { readonly size: number; readonly runtime_ms: number; readonly peak_memory_kb: number }[];
  };
  readonly sizes_error?: string;
}

async function profile(
  file: string,
  fn: string,
  sizes: string,
  json = true,
): Promise<{ code: number | null; stdout: string; profile?: SizesProfile }> {
  const run = await runCli(cli, [
    'profile',
    path.join(work, file),
    '--function',
    fn,
    '--sandbox',
    'local',
    '--sizes',
    sizes,
    ...(json ? ['--json'] : []),
  ]);
  return { code: run.code, stdout: run.stdout, ...(json ? { profile: JSON.parse(run.stdout) as SizesProfile } : {}) };
}

// Sizes span a factor of 16–32, so n² (×256 or more) and n (×16–32) cannot be mistaken for each
// other even when a busy machine adds tens of percent of noise to single points.
const QUADRATIC_SIZES = '200,400,800,1600,3200';
const LINEAR_SIZES = '1000,2000,4000,8000,16000,32000';
const GROWS_FASTER_THAN_N_LOG_N = ['n^2', 'n^3', '2^n'];
const GROWS_LIKE_N = ['n', 'n log n'];

describe('afterburner profile --sizes', () => {
  it('fits a quadratic function as growing faster than n log n, with every size in the JSON', async () => {
    const run = await profile('quadratic/pairs.py', 'equal_pairs', QUADRATIC_SIZES);
    expect(run.code).toBe(0);
    const complexity = run.profile?.complexity;
    expect(complexity?.points.map((p) => p.size)).toEqual([200, 400, 800, 1600, 3200]);
    for (const point of complexity?.points ?? []) expect(point.runtime_ms).toBeGreaterThan(0);
    expect(GROWS_FASTER_THAN_N_LOG_N).toContain(complexity?.time.class);
    expect(complexity?.memory.class).not.toBeUndefined();
    expect(complexity?.summary).toMatch(/^time ≈ /);
  });

  it('fits a linear function as n (n log n at worst), taking the generator from afterburner_inputs.py', async () => {
    const run = await profile('linear/total.py', 'total', LINEAR_SIZES);
    expect(run.code).toBe(0);
    expect(run.profile?.complexity?.points).toHaveLength(6);
    expect(GROWS_LIKE_N).toContain(run.profile?.complexity?.time.class);
  });

  it('prints the fitted class and the points in the human output', async () => {
    const run = await profile('quadratic/pairs.py', 'equal_pairs', QUADRATIC_SIZES, false);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/growth\s+time ≈ (n²|n³|2ⁿ) \(fit within \d+ %\), memory ≈ /);
    expect(run.stdout).toMatch(/n = 3200\s/);
  });

  it('says why nothing was measured when the generator raises, and still profiles the function', async () => {
    const run = await profile('raising/double.py', 'double', '10,20,40,80');
    expect(run.code).toBe(0);
    expect(run.profile?.status).toBe('passed');
    expect(run.profile?.complexity).toBeUndefined();
    expect(run.profile?.sizes_error).toMatch(/afterburner_inputs\(10\) failed: .*ValueError.*no inputs of size 10/);
  });
});
