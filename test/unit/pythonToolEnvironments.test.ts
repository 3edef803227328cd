import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPipenvPython, pipenvEnvName, pipenvWorkonHome } from '../../src/languages/python/pipenvEnvironment';
import { condaEnvironmentName, condaEnvsDirs, findCondaPython } from '../../src/languages/python/condaEnvironment';
import {
  findPoetryPython,
  poetryCacheDir,
  poetryConfigDir,
  poetryEnvName,
  poetryVirtualenvsDir,
} from '../../src/languages/python/poetryEnvironment';

const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function temp(): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'ab-toolenv-')));
  temps.push(dir);
  return dir;
}

function venvAt(dir: string): string {
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  writeFileSync(path.join(dir, 'bin', 'python3'), '');
  return path.join(dir, 'bin', 'python3');
}

/** The tools' naming, restated in Python as their sources have it, for paths the test picks. */
const PYTHON_NAMES = String.raw`
import base64, hashlib, os, re, sys
kind, arg, name = sys.argv[1], sys.argv[2], sys.argv[3]
if kind == "poetry":
    name = re.sub(r"[-_.]+", "-", name).lower()
    s = re.sub(r'[ $${'`'}!*@"\\\r\n\t]', "_", name)[:42]
    h = base64.urlsafe_b64encode(hashlib.sha256(os.path.normcase(os.path.realpath(arg)).encode()).digest()).decode()[:8]
else:
    s = re.sub(r'[ &$${'`'}!*@"()\[\]\\\r\n\t]', "_", arg.split(os.sep)[-2])[0:42]
    h = base64.urlsafe_b64encode(hashlib.sha256(arg.encode()).digest()[:6]).decode()[:8]
print(s + "-" + h)
`;

function pythonSays(kind: 'poetry' | 'pipenv', arg: string, name = ''): string {
  return execFileSync('python3', ['-c', PYTHON_NAMES, kind, arg, name], { encoding: 'utf8' }).trim();
}

describe("Poetry's environment of a project", () => {
  it('is named as Poetry names it', () => {
    expect(poetryEnvName('simple-project', '/home/user/simple-project', 'linux')).toBe('simple-project-g_O-9hau');
    // The package name in its normal form (PEP 503), and a folder with a space.
    expect(poetryEnvName('My_Package.Name', '/srv/code/My Project', 'linux')).toBe('my-package-name-QU6t9Tj6');
    const dir = temp();
    expect(poetryEnvName('Odd $name!', dir, 'linux')).toBe(pythonSays('poetry', dir, 'Odd $name!'));
  });

  it('lives in the cache dir the platform gives Poetry, or where the environment says', () => {
    const home = '/home/u';
    expect(poetryCacheDir({ env: {}, home, platform: 'linux' })).toBe('/home/u/.cache/pypoetry');
    expect(poetryCacheDir({ env: {}, home, platform: 'darwin' })).toBe('/home/u/Library/Caches/pypoetry');
    expect(poetryCacheDir({ env: { POETRY_CACHE_DIR: '/c' }, home, platform: 'linux' })).toBe('/c');
    expect(poetryVirtualenvsDir({ env: { POETRY_CACHE_DIR: '/c' }, home, platform: 'linux' })).toBe('/c/virtualenvs');
    expect(poetryVirtualenvsDir({ env: { POETRY_VIRTUALENVS_PATH: '/v' }, home, platform: 'linux' })).toBe('/v');
  });

  it("finds the environment envs.toml names, else the newest one, and only for Poetry's projects", () => {
    const root = temp();
    const cache = temp();
    const context = { env: { POETRY_CACHE_DIR: cache }, home: '/nowhere', platform: process.platform };
    writeFileSync(path.join(root, 'pyproject.toml'), '[tool.poetry]\nname = "demo-lib"\nversion = "1.0"\n');
    const base = pythonSays('poetry', root, 'demo-lib');
    const older = venvAt(path.join(cache, 'virtualenvs', `${base}-py3.9`));
    const newer = venvAt(path.join(cache, 'virtualenvs', `${base}-py3.11`));
    venvAt(path.join(cache, 'virtualenvs', 'other-project-AAAAAAAA-py3.12'));
    expect(findPoetryPython(root, context)).toBe(newer);
    writeFileSync(path.join(cache, 'virtualenvs', 'envs.toml'), `[${base}]\nminor = "3.9"\npatch = "3.9.18"\n`);
    expect(findPoetryPython(root, context)).toBe(older);
    // A [project] table is Poetry's only beside poetry.lock.
    writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "demo-lib"\n');
    expect(findPoetryPython(root, context)).toBeUndefined();
    writeFileSync(path.join(root, 'poetry.lock'), '');
    expect(findPoetryPython(root, context)).toBe(older);
  });

  it("follows `virtualenvs.path` and `cache-dir` of Poetry's config.toml, and a project's poetry.toml over it", () => {
    const home = temp();
    const root = temp();
    const context = { env: {}, home, platform: 'linux' as const };
    const config = path.join(home, '.config', 'pypoetry');
    mkdirSync(config, { recursive: true });
    expect(poetryConfigDir(context)).toBe(config);
    expect(poetryConfigDir({ ...context, platform: 'darwin' })).toBe(
      path.join(home, 'Library', 'Application Support', 'pypoetry'),
    );
    expect(poetryConfigDir({ ...context, env: { POETRY_CONFIG_DIR: '/p' } })).toBe('/p');
    writeFileSync(path.join(config, 'config.toml'), 'cache-dir = "/srv/poetry-cache"\n');
    expect(poetryVirtualenvsDir(context)).toBe('/srv/poetry-cache/virtualenvs');
    writeFileSync(
      path.join(config, 'config.toml'),
      '# written by poetry config\ncache-dir = "/srv/poetry-cache"\n\n[virtualenvs]\nin-project = false\npath = "{cache-dir}/envs"\n',
    );
    expect(poetryVirtualenvsDir(context)).toBe('/srv/poetry-cache/envs');
    writeFileSync(path.join(config, 'config.toml'), 'virtualenvs.path = "~/venvs"\n');
    expect(poetryVirtualenvsDir(context)).toBe(path.join(home, 'venvs'));
    writeFileSync(path.join(root, 'poetry.toml'), '[virtualenvs]\npath = "envs"\n');
    expect(poetryVirtualenvsDir(context, root)).toBe(path.join(root, 'envs'));
    // The environment variable wins over both.
    expect(poetryVirtualenvsDir({ ...context, env: { POETRY_VIRTUALENVS_PATH: '/v' } }, root)).toBe('/v');

    writeFileSync(path.join(root, 'pyproject.toml'), '[tool.poetry]\nname = "demo"\n');
    const python = venvAt(path.join(root, 'envs', `${poetryEnvName('demo', root, 'linux')}-py3.12`));
    expect(findPoetryPython(root, context)).toBe(python);
  });
});

describe("the conda environment a project's environment.yml names", () => {
  it('is read from `name:`, and is absent without the file', () => {
    const root = temp();
    expect(condaEnvironmentName(root)).toBeUndefined();
    writeFileSync(
      path.join(root, 'environment.yml'),
      '# the lab env\nname: "lab-2024"  # pinned\nchannels:\n  - conda-forge\n',
    );
    expect(condaEnvironmentName(root)).toBe('lab-2024');
    writeFileSync(path.join(root, 'environment.yml'), 'dependencies:\n  - python=3.11\n');
    expect(condaEnvironmentName(root)).toBe('');
  });

  it('is looked for where conda keeps environments: CONDA_ENVS_PATH, .condarc envs_dirs, the installation, ~/.conda', () => {
    const home = temp();
    writeFileSync(
      path.join(home, '.condarc'),
      'channels:\n  - defaults\nenvs_dirs:\n  - ~/shared-envs\n  - /data/envs\n',
    );
    const dirs = condaEnvsDirs({
      env: { CONDA_ENVS_PATH: '/a:/b', CONDA_EXE: '/opt/mf/bin/conda' },
      home,
      platform: 'linux',
    });
    expect(dirs.slice(0, 6)).toEqual([
      '/a',
      '/b',
      path.join(home, 'shared-envs'),
      '/data/envs',
      '/opt/mf/envs',
      path.join(home, '.conda', 'envs'),
    ]);
    expect(dirs).toContain(path.join(home, 'miniconda3', 'envs'));
  });

  it('is the named one over another active environment, and the active one when it is that one or unnamed', () => {
    const home = temp();
    const root = temp();
    const named = venvAt(path.join(home, 'miniforge3', 'envs', 'lab'));
    const other = venvAt(path.join(home, 'miniforge3', 'envs', 'base-tools'));
    const context = {
      env: { CONDA_PREFIX: path.join(home, 'miniforge3', 'envs', 'base-tools') },
      home,
      platform: 'linux' as const,
    };
    expect(findCondaPython(root, context)).toBeUndefined();
    writeFileSync(path.join(root, 'environment.yml'), 'name: lab\n');
    expect(findCondaPython(root, context)).toBe(named);
    expect(
      findCondaPython(root, { ...context, env: { CONDA_PREFIX: path.join(home, 'miniforge3', 'envs', 'lab') } }),
    ).toBe(named);
    writeFileSync(path.join(root, 'environment.yml'), 'name: not-created-yet\n');
    expect(findCondaPython(root, context)).toBe(other);
    writeFileSync(path.join(root, 'environment.yml'), 'dependencies: []\n');
    expect(findCondaPython(root, context)).toBe(other);
  });
});

describe("Pipenv's environment of a project", () => {
  it('is named as Pipenv names it', () => {
    // pipenv's own example: a Pipfile at /home/user/MY_PROJECT/Pipfile hashes to wyUfYPqE.
    expect(pipenvEnvName('/home/user/MY_PROJECT/Pipfile', '/')).toBe('MY_PROJECT-wyUfYPqE');
    expect(pipenvEnvName('/srv/code/odd (copy) [2]/Pipfile', '/')).toBe('odd__copy___2_-Z3h4JfWo');
    const pipfile = path.join(temp(), 'Pipfile');
    expect(pipenvEnvName(pipfile)).toBe(pythonSays('pipenv', pipfile));
  });

  it('lives under WORKON_HOME, else the XDG data folder', () => {
    expect(pipenvWorkonHome({ env: {}, home: '/home/u', platform: 'linux' })).toBe('/home/u/.local/share/virtualenvs');
    expect(pipenvWorkonHome({ env: { XDG_DATA_HOME: '/x' }, home: '/home/u', platform: 'linux' })).toBe(
      '/x/virtualenvs',
    );
    expect(pipenvWorkonHome({ env: { WORKON_HOME: '~/envs' }, home: '/home/u', platform: 'linux' })).toBe(
      '/home/u/envs',
    );
  });

  it('is found for a project with a Pipfile, or where its .venv file points', () => {
    const root = temp();
    const workon = temp();
    const context = { env: { WORKON_HOME: workon }, home: '/nowhere', platform: process.platform };
    const python = venvAt(path.join(workon, pythonSays('pipenv', path.join(root, 'Pipfile'))));
    expect(findPipenvPython(root, context)).toBeUndefined();
    writeFileSync(path.join(root, 'Pipfile'), '[packages]\n');
    expect(findPipenvPython(root, context)).toBe(python);
    const named = venvAt(path.join(workon, 'chosen'));
    writeFileSync(path.join(root, '.venv'), 'chosen\n');
    expect(findPipenvPython(root, context)).toBe(named);
  });
});
