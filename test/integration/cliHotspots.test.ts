/**
 * `afterburner hotspots` as a user runs it on fixture projects whose dominant function is known:
 * the built CLI, the real harness under cProfile / the V8 CPU profiler, in the local sandbox and in
 * Docker; the ranking, call counts and shares of the JSON contract, and names `profile` accepts.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, runCli } from './cliBuild';
import { useDockerEngine } from './dockerForTests';

interface HotFunction {
  file: string;
  function: string;
  line: number;
  total_ms: number;
  self_ms: number;
  calls: number;
  share: number;
}

interface Report {
  status: string;
  language: string;
  tests: { passed: number; failed: number };
  test_ms: number;
  functions: HotFunction[];
  failures?: { test: string; message: string }[];
  languages?: Report[];
}

const FIXTURES = path.resolve(__dirname, '../fixtures/hotspots');
const PYTHON = path.join(FIXTURES, 'python');
const TYPESCRIPT = path.join(FIXTURES, 'typescript');
/** closest_pair_distance runs on 4, 400 and 400 points: 6 + 2 × 400·399/2 distance calls. */
const PYTHON_DISTANCE_CALLS = 6 + 2 * ((400 * 399) / 2);
/** closestPairDistance runs on 4, 1500 and 1500 points. */
const TS_DISTANCE_CALLS = 6 + 2 * ((1500 * 1499) / 2);

let cli: string;
let work: string;

beforeAll(async () => {
  cli = await builtCli();
  work = mkdtempSync(path.join(tmpdir(), 'afterburner-cli-hotspots-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function hotspots(args: string[]): Promise<{ code: number | null; report: Report; stderr: string }> {
  const run = await runCli(cli, ['hotspots', ...args, '--json']);
  const lines = run.stdout.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  return { code: run.code, report: JSON.parse(lines[0] ?? '') as Report, stderr: run.stderr };
}

function byName(report: Report, name: string): HotFunction {
  const found = report.functions.find((f) => f.function === name);
  if (!found) throw new Error(`${name} not in ${report.functions.map((f) => f.function).join(', ')}`);
  return found;
}

function expectPythonRanking(report: Report): void {
  expect(report.status).toBe('passed');
  expect(report.language).toBe('python');
  expect(report.tests).toEqual({ passed: 5, failed: 0 });
  const [top, second] = report.functions;
  expect(top).toMatchObject({ file: 'routes/geometry.py', function: 'closest_pair_distance', line: 8, calls: 3 });
  expect(second).toMatchObject({ file: 'routes/geometry.py', function: 'distance', line: 4 });
  expect(second?.calls).toBe(PYTHON_DISTANCE_CALLS);
  expect(top?.share).toBeGreaterThan(0.8);
  expect(top?.share).toBeLessThanOrEqual(1);
  // Inclusive ≥ self, and the callee's inclusive time is inside the caller's.
  expect(top!.total_ms).toBeGreaterThanOrEqual(top!.self_ms);
  expect(second!.total_ms).toBeLessThan(top!.total_ms);
  expect(byName(report, 'Labeler.label')).toMatchObject({ file: 'routes/labels.py', line: 9, calls: 1 });
  expect(byName(report, 'slug').calls).toBe(3);
  // Tests and their helpers are not the project's code to optimize.
  expect(report.functions.some((f) => f.file.startsWith('tests/') || f.function.startsWith('test_'))).toBe(false);
  const shares = report.functions.map((f) => f.total_ms);
  expect([...shares].sort((a, b) => b - a)).toEqual(shares);
}

function expectTypeScriptRanking(report: Report): void {
  expect(report.status).toBe('passed');
  expect(report.language).toBe('typescript');
  expect(report.tests).toEqual({ passed: 5, failed: 0 });
  const [top] = report.functions;
  expect(top).toMatchObject({ file: 'src/geometry.ts', function: 'closestPairDistance', line: 8, calls: 3 });
  expect(top?.share).toBeGreaterThan(0.6);
  expect(byName(report, 'distance')).toMatchObject({ file: 'src/geometry.ts', line: 3, calls: TS_DISTANCE_CALLS });
  expect(report.functions.some((f) => f.file.startsWith('test/'))).toBe(false);
}

describe('afterburner hotspots (local sandbox)', () => {
  it('ranks the function a Python package re-exports by the time its tests spend in it', async () => {
    const { code, report } = await hotspots([PYTHON, '--sandbox', 'local']);
    expect(code).toBe(0);
    expectPythonRanking(report);
  });

  it('names a function so that profile takes it as-is', async () => {
    const { report } = await hotspots([TYPESCRIPT, '--sandbox', 'local', '--top', '1']);
    expect(report.functions).toHaveLength(1);
    const [top] = report.functions;
    const profile = await runCli(cli, [
      'profile',
      path.join(TYPESCRIPT, top!.file),
      '--function',
      top!.function,
      '--tests',
      path.join(TYPESCRIPT, 'test/geometry.test.ts'),
      '--sandbox',
      'local',
      '--json',
    ]);
    expect(profile.code, profile.stderr).toBe(0);
    expect(JSON.parse(profile.stdout)).toMatchObject({ status: 'passed', function: 'closestPairDistance', calls: 3 });
  });

  it('ranks a TypeScript project, with call counts and lines of the .ts source', async () => {
    const { code, report } = await hotspots([TYPESCRIPT, '--sandbox', 'local']);
    expect(code).toBe(0);
    expectTypeScriptRanking(report);
  });

  it('reports failing tests and still ranks the functions of the tests that ran', async () => {
    const project = path.join(work, 'failing');
    cpSync(PYTHON, project, { recursive: true });
    writeFileSync(
      path.join(project, 'tests/test_broken.py'),
      'from routes import slug\n\n\ndef test_slug_keeps_case():\n    text = slug("Main Street")\n    assert text == "Main-Street"\n',
    );
    const { code, report } = await hotspots([project, '--sandbox', 'local']);
    expect(code).toBe(1);
    expect(report.status).toBe('failed');
    expect(report.tests).toEqual({ passed: 5, failed: 1 });
    expect(report.failures?.[0]?.test).toMatch(/test_slug_keeps_case/);
    expect(report.functions[0]).toMatchObject({ function: 'closest_pair_distance', calls: 3 });
    expect(byName(report, 'slug').calls).toBe(4);
  });

  it('runs each language of a mixed project, the one with most test time on top', async () => {
    const project = path.join(work, 'mixed');
    cpSync(PYTHON, project, { recursive: true });
    cpSync(TYPESCRIPT, project, { recursive: true });
    const { code, report } = await hotspots([project, '--sandbox', 'local']);
    expect(code).toBe(0);
    expect(report.languages?.map((l) => l.language)).toEqual(['python', 'typescript']);
    const [python, typescript] = report.languages ?? [];
    expectPythonRanking(python!);
    expectTypeScriptRanking(typescript!);
    const most = [python!, typescript!].sort((a, b) => b.test_ms - a.test_ms)[0];
    expect(report.language).toBe(most?.language);
    expect(report.functions).toEqual(most?.functions);

    const text = await runCli(cli, ['hotspots', project, '--sandbox', 'local', '--top', '2']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^python: passed · 5 passed, 0 failed/m);
    expect(text.stdout).toMatch(/^typescript: passed · 5 passed, 0 failed/m);
    expect(text.stdout).toMatch(/closest_pair_distance {2}routes\/geometry\.py:8/);
    expect(text.stdout).toMatch(/closestPairDistance {2}src\/geometry\.ts:8/);
  });

  it('exits 2 with a clear message when a folder has no tests', async () => {
    const empty = path.join(work, 'empty');
    cpSync(path.join(PYTHON, 'routes'), empty, { recursive: true });
    const run = await runCli(cli, ['hotspots', empty, '--sandbox', 'local']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/No tests found under .*--tests PATH/s);
  });
});

describe('afterburner hotspots (docker sandbox)', () => {
  useDockerEngine();

  it('ranks the Python fixture in a container', async () => {
    const { code, report } = await hotspots([PYTHON, '--sandbox', 'docker']);
    expect(code).toBe(0);
    expectPythonRanking(report);
  });

  it('ranks the TypeScript fixture in a container', async () => {
    const { code, report } = await hotspots([TYPESCRIPT, '--sandbox', 'docker']);
    expect(code).toBe(0);
    expectTypeScriptRanking(report);
  });
});
