/**
 * `afterburner hotspots` as a user runs it on fixture projects whose dominant function is known:
 * the built CLI, the real harness under cProfile / the V8 CPU profiler, in the local sandbox and in
 * Docker; the ranking, call counts and shares of the JSON contract, and names `profile` accepts.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, runCli } from './cliBuild';
import { useDockerEngine } from './dockerForTests';
import { pythonWithPytest } from './pythonWithPytest';

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
  test_files?: string[];
  project?: string;
}

const FIXTURES = path.resolve(__dirname, '../fixtures/hotspots');
const PYTHON = path.join(FIXTURES, 'python');
const TYPESCRIPT = path.join(FIXTURES, 'typescript');
/** Root conftest.py puts src/ on sys.path and serves a fixture read from data/firings.tsv. */
const PYTHON_SRC_LAYOUT = path.join(FIXTURES, 'python-src-layout');
/** pytest.ini: testpaths = checks, python_files = check_*.py; bench/ holds a test pytest leaves out. */
const PYTHON_CHECKS = path.join(FIXTURES, 'python-checks');
/** Two projects side by side (meters/, tariffs/), each an src layout reached through its own pytest `pythonpath`. */
const PYTHON_MONOREPO = path.join(FIXTURES, 'python-monorepo');
/** Imports through a tsconfig `paths` alias set at the project root, above src/. */
const TYPESCRIPT_PATHS = path.join(FIXTURES, 'typescript-paths');
/** closest_pair_distance runs on 4, 400 and 400 points: 6 + 2 × 400·399/2 distance calls. */
const PYTHON_DISTANCE_CALLS = 6 + 2 * ((400 * 399) / 2);
/** closestPairDistance runs on 4, 1500 and 1500 points. */
const TS_DISTANCE_CALLS = 6 + 2 * ((1500 * 1499) / 2);

/** ramp_profile runs on 40 × 50, 40 and 1500 readings: one smooth() call per reading. */
const SMOOTH_CALLS = 2000 + 40 + 1500;
/** rank_players on 120 and 2 players: one expected_score() per ordered pair. */
const EXPECTED_SCORE_CALLS = 120 * 119 + 2;
/** daily_totals on 30 days of minutes and on one sample: to_kwh() once per sample. */
const TO_KWH_CALLS = 30 * 1440 + 1;
/** bill over a year of hours, 1 hour and 18 hours: band_of() once per hour. */
const BAND_OF_CALLS = 365 * 24 + 1 + 18;
/** regionSize fills 120 × 120 cells and 60 × 30 cells: neighbours() once per cell. */
const NEIGHBOURS_CALLS = 120 * 120 + 60 * 30;

const PYTEST_PYTHON = pythonWithPytest();

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

describe('afterburner hotspots on the project as its runner sees it (local sandbox)', () => {
  it.skipIf(PYTEST_PYTHON === undefined)(
    'runs a src layout from its root: the root conftest, its fixture and data file, tests outside the package',
    async () => {
      const { code, report, stderr } = await hotspots([
        PYTHON_SRC_LAYOUT,
        '--sandbox',
        'local',
        '--python',
        PYTEST_PYTHON ?? 'python3',
      ]);
      expect(code, stderr).toBe(0);
      expect(report).toMatchObject({ status: 'passed', language: 'python', tests: { passed: 3, failed: 0 } });
      expect(report.test_files).toEqual(['tests/test_schedule.py']);
      const [top, second] = report.functions;
      expect(top).toMatchObject({ file: 'src/kiln/schedule.py', function: 'ramp_profile', line: 10, calls: 3 });
      expect(second).toMatchObject({ file: 'src/kiln/schedule.py', function: 'smooth', line: 1, calls: SMOOTH_CALLS });
      expect(top?.share).toBeGreaterThan(0.5);
      expect(byName(report, 'peak').calls).toBe(2);
      expect(stderr).toContain(`python: ${PYTEST_PYTHON} (`);
    },
  );

  it.skipIf(PYTEST_PYTHON === undefined)(
    'runs each Python project of a folder from its own root, with its own pytest config',
    async () => {
      const { code, report, stderr } = await hotspots([
        PYTHON_MONOREPO,
        '--sandbox',
        'local',
        '--python',
        PYTEST_PYTHON ?? 'python3',
      ]);
      expect(code, stderr).toBe(0);
      expect(stderr).toContain(`(project root ${path.join(PYTHON_MONOREPO, 'meters')})`);
      expect(stderr).toContain(`(project root ${path.join(PYTHON_MONOREPO, 'tariffs')})`);
      const [meters, tariffs] = report.languages ?? [];
      expect(meters).toMatchObject({ status: 'passed', project: 'meters', tests: { passed: 2, failed: 0 } });
      expect(meters?.test_files).toEqual(['meters/tests/test_readings.py']);
      expect(meters?.functions[0]).toMatchObject({
        file: 'meters/src/meters/readings.py',
        function: 'daily_totals',
        calls: 2,
      });
      expect(byName(meters!, 'to_kwh').calls).toBe(TO_KWH_CALLS);
      expect(tariffs).toMatchObject({ status: 'passed', project: 'tariffs', tests: { passed: 2, failed: 0 } });
      expect(tariffs?.functions[0]).toMatchObject({ file: 'tariffs/src/tariffs/bands.py', function: 'bill', calls: 3 });
      expect(byName(tariffs!, 'band_of').calls).toBe(BAND_OF_CALLS);
    },
  );

  it("finds the tests the project's pytest.ini names (testpaths, python_files) and nothing else", async () => {
    const { code, report, stderr } = await hotspots([PYTHON_CHECKS, '--sandbox', 'local']);
    expect(code, stderr).toBe(0);
    expect(report.test_files).toEqual(['checks/check_ladder.py']);
    expect(report.tests).toEqual({ passed: 2, failed: 0 });
    expect(report.functions[0]).toMatchObject({ file: 'scoring/ladder.py', function: 'rank_players', calls: 2 });
    expect(byName(report, 'expected_score').calls).toBe(EXPECTED_SCORE_CALLS);
    // bench/ is outside testpaths: pytest at the root would not run it, so neither does hotspots.
    expect(report.functions.some((f) => f.function === 'reference_ranking')).toBe(false);
  });

  it("runs Python with the project's .venv, whose package the tests need, and leaves that package out", async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'afterburner-hotspots-venv-'));
    chmodSync(root, 0o755);
    try {
      execFileSync('python3', ['-m', 'venv', '--without-pip', path.join(root, '.venv')]);
      const sitePackages = execFileSync(
        path.join(root, '.venv/bin/python3'),
        ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
        { encoding: 'utf8' },
      ).trim();
      writeFileSync(path.join(sitePackages, 'venv_tokens.py'), 'def tokens(line):\n    return line.lower().split()\n');
      writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "wordcount"\n');
      mkdirSync(path.join(root, 'wordcount'));
      mkdirSync(path.join(root, 'tests'));
      writeFileSync(path.join(root, 'wordcount/__init__.py'), 'from .counts import count_words\n');
      writeFileSync(
        path.join(root, 'wordcount/counts.py'),
        [
          'from venv_tokens import tokens',
          '',
          '',
          'def count_words(lines):',
          '    counts = {}',
          '    for line in lines:',
          '        for word in tokens(line):',
          '            counts[word] = counts.get(word, 0) + 1',
          '    return counts',
          '',
        ].join('\n'),
      );
      writeFileSync(
        path.join(root, 'tests/test_counts.py'),
        [
          'from wordcount import count_words',
          '',
          '',
          'def test_counts_every_line():',
          '    counts = count_words(["the cat sat on the mat"] * 3000)',
          '    assert counts["the"] == 6000',
          '',
        ].join('\n'),
      );
      const { code, report, stderr } = await hotspots([root, '--sandbox', 'local']);
      expect(code, stderr).toBe(0);
      expect(stderr).toContain(`python: ${root}/.venv/bin/python3 (the project's .venv)`);
      expect(report.functions[0]).toMatchObject({ file: 'wordcount/counts.py', function: 'count_words', calls: 1 });
      // The venv's own package is installed code, not the project's.
      expect(report.functions.map((f) => f.function)).toEqual(['count_words']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('copies a TypeScript project from its root when DIR is below it, so its tsconfig path alias resolves', async () => {
    const { code, report, stderr } = await hotspots([path.join(TYPESCRIPT_PATHS, 'src'), '--sandbox', 'local']);
    expect(code, stderr).toBe(0);
    expect(report).toMatchObject({ status: 'passed', language: 'typescript', tests: { passed: 2, failed: 0 } });
    expect(report.test_files).toEqual(['__tests__/regions.test.ts']);
    // Files are named relative to DIR.
    expect(report.functions[0]).toMatchObject({ file: 'lib/regions.ts', function: 'regionSize', line: 4, calls: 2 });
    expect(byName(report, 'neighbours')).toMatchObject({ file: 'lib/cells.ts', calls: NEIGHBOURS_CALLS });
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
