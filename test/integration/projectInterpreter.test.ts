// The project's own Python, through the CLI: a real venv at the project root and a Poetry
// environment in Poetry's cache folder (laid out as Poetry names it) each hold a module only they
// have, the tests import it, and `profile --json` and `doctor` name that interpreter and why. In
// Docker, the project's dev container image runs the job and the output says the image's Python ran.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli, runCli } from './cliBuild';
import { useDockerEngine } from './dockerForTests';

interface PythonJson {
  path: string;
  version: string;
  source: string;
  image?: string;
}

interface ProfileOut {
  status: string;
  message: string;
  calls: number;
  python?: PythonJson;
  interpreter?: string;
  isolation: string;
}

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  chmodSync(dir, 0o755);
  temps.push(dir);
  return dir;
}

/** A real venv (offline: no pip) that sees the system's packages (pytest) plus a module of its own. */
function venvWithMarker(dir: string, marker: string): string {
  execFileSync('python3', ['-m', 'venv', '--without-pip', '--system-site-packages', dir]);
  const python = path.join(dir, 'bin', 'python3');
  const site = execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], {
    encoding: 'utf8',
  }).trim();
  writeFileSync(path.join(site, 'env_marker.py'), `WHICH = ${JSON.stringify(marker)}\n`);
  return python;
}

/** A project whose test passes only where `env_marker.WHICH` is `marker`. */
function projectNeeding(marker: string, pyproject: string): string {
  const root = tempDir('afterburner-interp-');
  writeFileSync(path.join(root, 'pyproject.toml'), pyproject);
  writeFileSync(path.join(root, 'calc.py'), 'def triple(x):\n    return x + x + x\n');
  mkdirSync(path.join(root, 'tests'));
  writeFileSync(
    path.join(root, 'tests', 'test_calc.py'),
    `import env_marker\nfrom calc import triple\n\n\ndef test_triple():\n    assert env_marker.WHICH == ${JSON.stringify(marker)}\n    assert triple(4) == 12\n`,
  );
  return root;
}

/** No activated environment of the machine running the tests may decide for the project. */
const NO_ACTIVE_ENV = { VIRTUAL_ENV: '', CONDA_PREFIX: '', UV_PROJECT_ENVIRONMENT: '' };

async function profile(root: string, sandbox: string, env: Record<string, string>): Promise<ProfileOut> {
  const run = await runCli(
    await builtCli(),
    ['profile', path.join(root, 'calc.py'), '--function', 'triple', '--sandbox', sandbox, '--json'],
    { ...NO_ACTIVE_ENV, ...env },
  );
  expect(run.stdout, run.stderr).not.toBe('');
  return JSON.parse(run.stdout) as ProfileOut;
}

function doctorIn(
  cwd: string,
  env: Record<string, string>,
): Promise<{ python: (PythonJson & { pytest: string | null; project_root: string }) | null }> {
  return builtCli().then(
    (cli) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [cli, 'doctor', '--json'], {
          cwd,
          env: {
            ...process.env,
            ...NO_ACTIVE_ENV,
            ...env,
            DOCKER_HOST: 'unix:///nonexistent.sock',
            AFTERBURNER_BASE_URL: 'http://127.0.0.1:9',
          },
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('close', () => resolve((JSON.parse(out) as { runtimes: { python: never } }).runtimes));
      }),
  );
}

describe("the project's own interpreter, local sandbox", () => {
  it("runs the tests under the project's .venv and says so in --json and doctor", async () => {
    const root = projectNeeding('dot-venv', '[project]\nname = "venv-user"\n');
    const python = venvWithMarker(path.join(root, '.venv'), 'dot-venv');
    const out = await profile(root, 'local', {});
    expect(out.status, out.message).toBe('passed');
    expect(out.python).toMatchObject({ path: python, source: '.venv' });
    expect(out.python?.version).toMatch(/^3\.\d+\.\d+$/);
    expect(out.interpreter).toBe(`${python} (${out.python?.version})`);

    const doctor = await doctorIn(path.join(root, 'tests'), {});
    expect(doctor.python).toMatchObject({ path: python, source: '.venv', project_root: root });
    // --system-site-packages: pytest imports under the venv exactly when it does under the system's.
    const systemPytest = (() => {
      try {
        return execFileSync('python3', ['-c', 'import pytest; print(pytest.__version__)'], { encoding: 'utf8' }).trim();
      } catch {
        return null;
      }
    })();
    expect(doctor.python?.pytest).toBe(systemPytest);
  });

  it('runs a venv made from a python3 reached through a link in a folder outside its install', async () => {
    // As with ~/.local/bin or /opt/tool/bin: the venv's python3 links to the farm, the farm to the binary.
    const farm = tempDir('afterburner-linkfarm-');
    const real = execFileSync('python3', ['-c', 'import os, sys; print(os.path.realpath(sys.executable))'], {
      encoding: 'utf8',
    }).trim();
    symlinkSync(real, path.join(farm, 'python3'));
    const root = projectNeeding('farm-venv', '[project]\nname = "farm-venv-user"\n');
    execFileSync(path.join(farm, 'python3'), [
      '-m',
      'venv',
      '--without-pip',
      '--system-site-packages',
      path.join(root, '.venv'),
    ]);
    const site = execFileSync(
      path.join(root, '.venv/bin/python3'),
      ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
      {
        encoding: 'utf8',
      },
    ).trim();
    writeFileSync(path.join(site, 'env_marker.py'), 'WHICH = "farm-venv"\n');
    const out = await profile(root, 'local', {});
    expect(out.status, out.message).toBe('passed');
    expect(out.python).toMatchObject({ source: '.venv' });
  });

  it('runs a named venv kept in a folder only its owner may enter (mode 0700)', async () => {
    const root = projectNeeding('private-venv', '[project]\nname = "private-venv-user"\n');
    const privateDir = realpathSync(mkdtempSync(path.join(tmpdir(), 'afterburner-private-')));
    temps.push(privateDir);
    chmodSync(privateDir, 0o700);
    const python = venvWithMarker(path.join(privateDir, 'env'), 'private-venv');
    chmodSync(path.join(privateDir, 'env'), 0o700);
    const run = await runCli(
      await builtCli(),
      [
        'profile',
        path.join(root, 'calc.py'),
        '--function',
        'triple',
        '--sandbox',
        'local',
        '--python',
        python,
        '--json',
      ],
      NO_ACTIVE_ENV,
    );
    const out = JSON.parse(run.stdout) as ProfileOut;
    expect(out.status, out.message).toBe('passed');
    expect(out.python).toMatchObject({ path: python, source: '--python' });
  });

  it("finds the Poetry environment in Poetry's cache by the name Poetry gives it, and runs the tests there", async () => {
    const root = projectNeeding('poetry-env', '[tool.poetry]\nname = "Poetry_Demo"\nversion = "0.1.0"\n');
    const cache = tempDir('afterburner-poetry-cache-');
    // Poetry's name for the environment, computed as Poetry computes it.
    const base = execFileSync(
      'python3',
      [
        '-c',
        'import base64,hashlib,os,re,sys\n' +
          'n = re.sub(r"[-_.]+", "-", sys.argv[1]).lower()\n' +
          'h = base64.urlsafe_b64encode(hashlib.sha256(os.path.normcase(os.path.realpath(sys.argv[2])).encode()).digest()).decode()[:8]\n' +
          'print(n + "-" + h + "-py%d.%d" % sys.version_info[:2])',
        'Poetry_Demo',
        root,
      ],
      { encoding: 'utf8' },
    ).trim();
    const python = venvWithMarker(path.join(cache, 'virtualenvs', base), 'poetry-env');
    // Without the cache folder the project has no environment: the tests cannot import the marker.
    const without = await profile(root, 'local', { POETRY_CACHE_DIR: tempDir('afterburner-empty-cache-') });
    expect(without.status).not.toBe('passed');
    expect(without.python?.source).toBe('PATH');

    const out = await profile(root, 'local', { POETRY_CACHE_DIR: cache });
    expect(out.status, out.message).toBe('passed');
    expect(out.python).toMatchObject({ path: python, source: 'poetry' });
    const doctor = await doctorIn(root, { POETRY_CACHE_DIR: cache });
    expect(doctor.python).toMatchObject({ path: python, source: 'poetry' });
    const hotspots = await runCli(await builtCli(), ['hotspots', root, '--sandbox', 'local', '--json'], {
      ...NO_ACTIVE_ENV,
      POETRY_CACHE_DIR: cache,
    });
    const hot = JSON.parse(hotspots.stdout) as { status: string; python?: PythonJson };
    expect(hot.status, hotspots.stderr).toBe('passed');
    expect(hot.python).toMatchObject({ path: python, source: 'poetry' });
  });
});

describe("the project's dev container image, Docker sandbox", () => {
  const engine = useDockerEngine();

  it('runs Python jobs in the image devcontainer.json names and says the image ran them', async () => {
    const { docker, options } = engine();
    const ours = options.images?.tags?.python;
    if (ours === undefined) throw new Error('the python sandbox image was not prepared');
    const repo = 'afterburner-devimg-test';
    const version = String(process.pid);
    const tag = `${repo}:${version}`;
    await docker.getImage(ours).tag({ repo, tag: version });
    try {
      const root = projectNeeding('unused', '[project]\nname = "dev-container-user"\n');
      // The image has no env_marker: the test checks only what the image's Python has.
      writeFileSync(
        path.join(root, 'tests', 'test_calc.py'),
        'import sys\nfrom calc import triple\n\n\ndef test_triple():\n    assert sys.prefix\n    assert triple(4) == 12\n',
      );
      mkdirSync(path.join(root, '.devcontainer'));
      writeFileSync(
        path.join(root, '.devcontainer', 'devcontainer.json'),
        `{\n  // the team's image\n  "name": "py",\n  "image": "${tag}",\n}\n`,
      );
      venvWithMarker(path.join(root, '.venv'), 'host-only');
      const env = { DOCKER_HOST: process.env.DOCKER_HOST ?? '' };
      const out = await profile(root, 'docker', env);
      expect(out.status, out.message).toBe('passed');
      expect(out.python).toMatchObject({ source: 'image', image: tag });
      // The host's .venv is not what ran: the image's interpreter is.
      expect(out.python?.path).not.toContain(root);
      expect(out.isolation).toContain(`the project's image ${tag} with the harness mounted read-only`);

      writeFileSync(path.join(root, '.devcontainer', 'devcontainer.json'), '{"image": "afterburner-no-such-image:1"}');
      const missing = await profile(root, 'docker', env);
      expect(missing.status).toBe('error');
      expect(missing.message).toContain('docker pull afterburner-no-such-image:1');
    } finally {
      await docker
        .getImage(tag)
        .remove()
        .catch(() => undefined);
    }
  });
});
