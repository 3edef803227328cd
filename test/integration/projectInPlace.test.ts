// Runs on the user's project in place, through the CLI and the sandbox port: the project is seen
// read-only at its own path, the runner runs from its root (conftest at several levels, src
// layouts, tests inside the package, a symlinked helper, a data file read relative to a test),
// the module is an overlay, and nothing the code does can change a file of the project.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectProjectJob } from '../../src/adapters/projectCollector';
import { createLocalSandbox } from '../../src/adapters/localSandbox';
import type { Sandbox, SandboxJob } from '../../src/core/sandboxTypes';
import { builtCli, REPO, runCli } from './cliBuild';
import { useDockerEngine } from './dockerForTests';
import { createDockerSandbox } from '../../src/adapters/dockerSandbox';
import { pythonWithPytest } from './pythonWithPytest';

const PROJECTS = path.join(REPO, 'test/fixtures/projects');
const LIMITS = { timeoutMs: 60_000, memoryMb: 512 };

const PYTHON = pythonWithPytest();

interface ProfileOut {
  status: string;
  tests: { passed: number; failed: number };
  calls: number;
  runner?: string;
  message: string;
}

async function profile(file: string, fn: string, tests: string[], sandbox: string): Promise<ProfileOut> {
  const cli = await builtCli();
  const args = [
    'profile',
    path.join(PROJECTS, file),
    '--function',
    fn,
    ...tests.flatMap((t) => ['--tests', path.join(PROJECTS, t)]),
    '--sandbox',
    sandbox,
    '--json',
    ...(PYTHON !== undefined && sandbox === 'local' ? ['--python', PYTHON] : []),
  ];
  const run = await runCli(cli, args);
  expect(run.stdout, run.stderr).not.toBe('');
  return JSON.parse(run.stdout) as ProfileOut;
}

/** A project in a temp folder: a module, a test that tries to change the project, and a file to guard. */
function hostileProject(): { root: string; job: (sandboxRoot?: string) => SandboxJob } {
  const root = mkdtempSync(path.join(tmpdir(), 'afterburner-project-'));
  chmodSync(root, 0o755);
  writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "victim"\n');
  writeFileSync(path.join(root, 'keep.txt'), 'original\n');
  writeFileSync(
    path.join(root, 'mod.py'),
    [
      'import os',
      '',
      'HERE = os.path.dirname(os.path.abspath(__file__))',
      '',
      'def f(x):',
      '    outcomes = []',
      '    for name, mode in (("keep.txt", "w"), ("mod.py", "a"), ("planted.txt", "w")):',
      '        try:',
      '            with open(os.path.join(HERE, name), mode) as handle:',
      '                handle.write("changed by the code under test\\n")',
      '            outcomes.append(name + " written")',
      '        except OSError as exc:',
      '            outcomes.append(name + " refused")',
      '    return x, outcomes',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(root, 'test_mod.py'),
    'from mod import f\n\ndef test_f():\n    value, outcomes = f(1)\n    assert value == 1\n    assert all(o.endswith("refused") for o in outcomes), outcomes\n',
  );
  const collected = collectProjectJob('python', path.join(root, 'mod.py'), [path.join(root, 'test_mod.py')]);
  if (collected.kind !== 'ok') throw new Error(collected.message);
  const input = collected.input;
  return {
    root,
    job: () => ({
      language: 'python',
      files: input.files,
      modulePath: input.modulePath,
      testPaths: input.testPaths,
      target: 'f',
      mode: { kind: 'test' },
      limits: LIMITS,
      project: input.project,
    }),
  };
}

function expectUntouched(root: string): void {
  expect(readFileSync(path.join(root, 'keep.txt'), 'utf8')).toBe('original\n');
  expect(readFileSync(path.join(root, 'mod.py'), 'utf8')).not.toMatch(/changed by the code under test\n$/);
  expect(existsSync(path.join(root, 'planted.txt'))).toBe(false);
}

describe('the project in place, local sandbox', () => {
  const sandbox = createLocalSandbox(PYTHON !== undefined ? { python: PYTHON } : {});
  afterAll(() => sandbox.dispose());

  it.runIf(PYTHON)(
    'runs tests that live inside the package, with conftest at two levels, a symlinked helper and a data file',
    async () => {
      const out = await profile(
        'py-tests-in-package/tally/counting.py',
        'frequencies',
        ['py-tests-in-package/tally/tests/test_counting.py'],
        'local',
      );
      expect(out.status, out.message).toBe('passed');
      expect(out.runner).toBe('pytest');
      expect(out.tests).toEqual({ passed: 3, failed: 0 });
      expect(out.calls).toBeGreaterThanOrEqual(2);
    },
  );

  it.runIf(PYTHON)('runs an src layout with tests outside, importing through the pythonpath option', async () => {
    const out = await profile(
      'py-src-layout/src/shapes/area.py',
      'polygon_area',
      ['py-src-layout/tests/test_area.py'],
      'local',
    );
    expect(out.status, out.message).toBe('passed');
    expect(out.tests).toEqual({ passed: 2, failed: 0 });
    expect(out.calls).toBe(2);
  });

  it('runs a JavaScript test whose module imports ../lib outside its own folder (copied, no depth limit)', async () => {
    const out = await profile(
      'js-lib-outside/src/util/average.js',
      'average',
      ['js-lib-outside/test/average.test.js'],
      'local',
    );
    expect(out.status, out.message).toBe('passed');
    expect(out.tests).toEqual({ passed: 2, failed: 0 });
    expect(out.calls).toBe(2);
  });

  it.runIf(PYTHON)('serves the module overlay under the project path instead of the file on disk', async () => {
    const collected = collectProjectJob('python', path.join(PROJECTS, 'py-src-layout/src/shapes/area.py'), [
      path.join(PROJECTS, 'py-src-layout/tests/test_area.py'),
    ]);
    if (collected.kind !== 'ok') throw new Error(collected.message);
    const { input } = collected;
    expect(input.project.root).toBe(path.join(PROJECTS, 'py-src-layout'));
    expect(input.modulePath).toBe('src/shapes/area.py');
    const broken = 'import os\n\ndef polygon_area(points):\n    raise ValueError("overlay at " + __file__)\n';
    const result = await sandbox.run({
      language: 'python',
      files: [{ path: input.modulePath, content: broken }],
      modulePath: input.modulePath,
      testPaths: input.testPaths,
      target: 'polygon_area',
      mode: { kind: 'test' },
      limits: LIMITS,
      project: input.project,
    });
    expect(result.kind, result.output).toBe('failed');
    if (result.kind !== 'failed') return;
    // The overlay ran, and believes it is the project's file.
    expect(result.failures[0]?.message).toContain(
      `overlay at ${path.join(PROJECTS, 'py-src-layout/src/shapes/area.py')}`,
    );
  });

  it.runIf(PYTHON)('runs a test file as the editor has it (unsaved), also under pytest', async () => {
    const collected = collectProjectJob('python', path.join(PROJECTS, 'py-src-layout/src/shapes/area.py'), [
      path.join(PROJECTS, 'py-src-layout/tests/test_area.py'),
    ]);
    if (collected.kind !== 'ok') throw new Error(collected.message);
    const { input } = collected;
    const testPath = input.testPaths[0] ?? '';
    const saved = readFileSync(path.join(input.project.root, testPath), 'utf8');
    const edited = `${saved}\n\ndef test_added_in_the_editor():\n    raise AssertionError("the unsaved edit ran")\n`;
    const result = await sandbox.run({
      language: 'python',
      files: [...input.files.filter((f) => f.path !== testPath), { path: testPath, content: edited }],
      modulePath: input.modulePath,
      testPaths: input.testPaths,
      target: 'polygon_area',
      mode: { kind: 'test' },
      limits: LIMITS,
      project: input.project,
    });
    expect(result.kind, result.output).toBe('failed');
    if (result.kind !== 'failed') return;
    expect(result.runner).toBe('pytest');
    expect(result.failures.map((f) => f.message).join('\n')).toContain('the unsaved edit ran');
  });

  it('keeps the project read-only: writes next to the module are refused and the host files stay as they were', async () => {
    const project = hostileProject();
    try {
      const result = await sandbox.run(project.job());
      expect(result.kind, result.kind === 'failed' ? JSON.stringify(result.failures) : result.output).toBe('passed');
      expectUntouched(project.root);
    } finally {
      rmSync(project.root, { recursive: true, force: true });
    }
  });
});

describe("the project's own interpreter", () => {
  it("uses the project's .venv, with a package only that venv has, and names it", async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'afterburner-venv-project-'));
    chmodSync(root, 0o755);
    try {
      execFileSync('python3', ['-m', 'venv', '--without-pip', path.join(root, '.venv')]);
      const sitePackages = execFileSync(
        path.join(root, '.venv/bin/python3'),
        ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
        { encoding: 'utf8' },
      ).trim();
      writeFileSync(path.join(sitePackages, 'venv_only_lib.py'), 'def double(x):\n    return 2 * x\n');
      writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "uses-venv"\n');
      writeFileSync(
        path.join(root, 'calc.py'),
        'from venv_only_lib import double\n\ndef quadruple(x):\n    return double(double(x))\n',
      );
      writeFileSync(
        path.join(root, 'test_calc.py'),
        'from calc import quadruple\n\ndef test_quadruple():\n    assert quadruple(3) == 12\n',
      );
      const cli = await builtCli();
      const run = await runCli(cli, [
        'profile',
        path.join(root, 'calc.py'),
        '--function',
        'quadruple',
        '--tests',
        path.join(root, 'test_calc.py'),
        '--sandbox',
        'local',
        '--json',
      ]);
      const out = JSON.parse(run.stdout) as ProfileOut & { isolation: string };
      expect(out.status, out.message + run.stderr).toBe('passed');
      expect(out.calls).toBe(1);
      expect(out.isolation).toContain(`python ${root}/.venv/bin/python3`);
      expect(run.stderr).toContain(`python: ${root}/.venv/bin/python3 (the project's .venv)`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the project in place, Docker sandbox', () => {
  const engine = useDockerEngine();
  let sandbox: Sandbox | undefined;
  afterAll(() => sandbox?.dispose());

  it('runs the project mounted read-only at its own path, and the container cannot change it', async () => {
    sandbox ??= createDockerSandbox(engine().options);
    const project = hostileProject();
    try {
      const result = await sandbox.run(project.job());
      expect(result.kind, result.kind === 'failed' ? JSON.stringify(result.failures) : result.output).toBe('passed');
      expect(result.isolation).toContain(`mounted read-only (${project.root}`);
      expectUntouched(project.root);
    } finally {
      rmSync(project.root, { recursive: true, force: true });
    }
  });

  it('serves the module overlay inside the container', async () => {
    sandbox ??= createDockerSandbox(engine().options);
    const project = hostileProject();
    try {
      const job = project.job();
      const overlay = 'def f(x):\n    return x, ["keep.txt refused", "mod.py refused", "planted.txt refused"]\n';
      const result = await sandbox.run({ ...job, files: [{ path: 'mod.py', content: overlay }] });
      expect(result.kind, result.output).toBe('passed');
      const failing = await sandbox.run({
        ...job,
        files: [{ path: 'mod.py', content: 'def f(x):\n    return 0, []\n' }],
      });
      expect(failing.kind).toBe('failed');
    } finally {
      rmSync(project.root, { recursive: true, force: true });
    }
  });
});
