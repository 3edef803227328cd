/**
 * `afterburner profile` without `--tests` on layouts real projects use: the built CLI finds the
 * tests itself, says on stderr which it picked and why, and the profile runs on them.
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
  ({ root: work, write } = tempProject('afterburner-cli-discovery-'));
  // JavaScript: tests in a test/ folder beside the module, run by node:test.
  write('package.json', '{ "name": "sorting", "type": "module", "scripts": { "test": "node --test" } }');
  write(
    'sorts/insertion_sort.mjs',
    'export function insertionSort(values) {\n  const out = [...values];\n  for (let i = 1; i < out.length; i++) {\n' +
      '    for (let j = i; j > 0 && out[j - 1] > out[j]; j--) [out[j - 1], out[j]] = [out[j], out[j - 1]];\n  }\n  return out;\n}\n',
  );
  write(
    'sorts/test/insertion_sort.test.mjs',
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { insertionSort } from '../insertion_sort.mjs';\n\n" +
      "test('sorts', () => {\n  assert.deepEqual(insertionSort([3, 1, 2]), [1, 2, 3]);\n  assert.deepEqual(insertionSort([5, 4]), [4, 5]);\n});\n",
  );
  write('sorts/test/other.test.mjs', "import { test } from 'node:test';\ntest('unrelated', () => {});\n");
  // Python: a package, its tests under pytest's testpaths.
  write('py/pyproject.toml', '[tool.pytest.ini_options]\ntestpaths = ["checks"]\n');
  write('py/geometry/__init__.py', 'from .area import polygon_area\n');
  write(
    'py/geometry/area.py',
    'def polygon_area(points):\n    total = 0.0\n    for i, (x1, y1) in enumerate(points):\n' +
      '        x2, y2 = points[(i + 1) % len(points)]\n        total += x1 * y2 - x2 * y1\n    return abs(total) / 2\n',
  );
  write(
    'py/checks/test_shapes.py',
    'from geometry.area import polygon_area\n\n\ndef test_square():\n    assert polygon_area([(0, 0), (2, 0), (2, 2), (0, 2)]) == 4\n',
  );
  write('py/checks/test_other.py', 'import geometry\n\n\ndef test_nothing():\n    assert geometry\n');
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('afterburner profile without --tests', () => {
  it('finds sorts/test/insertion_sort.test.mjs for sorts/insertion_sort.mjs and profiles with it', async () => {
    const run = await runCli(cli, [
      'profile',
      path.join(work, 'sorts/insertion_sort.mjs'),
      '--function',
      'insertionSort',
      '--sandbox',
      'local',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      'sorts/test/insertion_sort.test.mjs: imports sorts/insertion_sort.mjs, mentions insertionSort, named after the module, a .test file',
    );
    expect(run.stderr).not.toContain('other.test.js');
    const profile = JSON.parse(run.stdout) as { status: string; tests: { passed: number }; calls?: number };
    expect(profile.status).toBe('passed');
    expect(profile.tests.passed).toBe(1);
    expect(profile.calls).toBe(2);
  });

  it("finds a test under pytest's testpaths that imports the module from its package", async () => {
    const run = await runCli(cli, [
      'profile',
      path.join(work, 'py/geometry/area.py'),
      '--function',
      'polygon_area',
      '--sandbox',
      'local',
      '--json',
    ]);
    expect(run.stderr).toContain(
      'checks/test_shapes.py: imports geometry/area.py, mentions polygon_area, under testpaths (pyproject.toml)',
    );
    expect(run.stderr).not.toContain('test_other.py');
    expect(run.code, run.stderr).toBe(0);
    const profile = JSON.parse(run.stdout) as { status: string; tests: { passed: number }; calls?: number };
    expect(profile).toMatchObject({ status: 'passed', tests: { passed: 1 } });
    expect(profile.calls).toBe(1);
  });
});
