import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPythonInterpreter } from '../../src/languages/python/interpreter';
import { pipenvEnvName } from '../../src/languages/python/pipenvEnvironment';
import { poetryEnvName } from '../../src/languages/python/poetryEnvironment';

const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function venvAt(dir: string): string {
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  const python = path.join(dir, 'bin', 'python3');
  writeFileSync(python, '');
  return python;
}

function temp(): string {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'ab-interp-')));
  temps.push(root);
  return root;
}

describe('the project interpreter', () => {
  it('prefers the one the user named, then the active venv, then .venv, then venv, then python3', () => {
    const root = temp();
    const dotVenv = venvAt(path.join(root, '.venv'));
    const plainVenv = venvAt(path.join(root, 'venv'));
    const active = venvAt(path.join(root, 'elsewhere'));
    const env = { VIRTUAL_ENV: path.join(root, 'elsewhere') };
    expect(
      findPythonInterpreter({ named: { path: '/opt/py/bin/python3', source: '--python' }, env, projectRoot: root }),
    ).toEqual({ command: '/opt/py/bin/python3', source: '--python' });
    expect(findPythonInterpreter({ env, projectRoot: root })).toEqual({ command: active, source: 'VIRTUAL_ENV' });
    expect(findPythonInterpreter({ env: {}, projectRoot: root })).toEqual({ command: dotVenv, source: '.venv' });
    rmSync(path.join(root, '.venv'), { recursive: true });
    expect(findPythonInterpreter({ env: {}, projectRoot: root })).toEqual({ command: plainVenv, source: 'venv' });
    rmSync(path.join(root, 'venv'), { recursive: true });
    expect(findPythonInterpreter({ env: { VIRTUAL_ENV: '/no/such/venv' }, projectRoot: root })).toEqual({
      command: 'python3',
      source: 'PATH',
    });
  });

  it("puts the setting before the Python extension's selection, and that before VIRTUAL_ENV", () => {
    const root = temp();
    const active = venvAt(path.join(root, 'active'));
    const env = { VIRTUAL_ENV: path.join(root, 'active') };
    const selected = '/opt/selected/bin/python';
    expect(
      findPythonInterpreter({
        named: { path: '/opt/set/python3', source: 'setting' },
        selected,
        env,
        projectRoot: root,
      }),
    ).toEqual({ command: '/opt/set/python3', source: 'setting' });
    expect(
      findPythonInterpreter({ named: { path: '  ', source: 'setting' }, selected, env, projectRoot: root }),
    ).toEqual({ command: selected, source: 'python-extension' });
    expect(findPythonInterpreter({ env, projectRoot: root })).toEqual({ command: active, source: 'VIRTUAL_ENV' });
  });

  it("takes the tools' environments after the project's own venv folders, each only with its marker", () => {
    const root = temp();
    const home = temp();
    const cache = path.join(home, 'poetry-cache');
    const workon = path.join(home, 'workon');
    const conda = path.join(home, 'conda-env');
    const uvEnv = path.join(root, '.uv-env');
    const env = {
      POETRY_CACHE_DIR: cache,
      WORKON_HOME: workon,
      CONDA_PREFIX: conda,
      UV_PROJECT_ENVIRONMENT: '.uv-env',
    };
    const query = { env, projectRoot: root, home, platform: 'linux' as const };
    const uvPython = venvAt(uvEnv);
    const poetryPython = venvAt(path.join(cache, 'virtualenvs', `${poetryEnvName('demo', root, 'linux')}-py3.11`));
    const pipenvPython = venvAt(path.join(workon, pipenvEnvName(path.join(root, 'Pipfile'))));
    const condaPython = venvAt(conda);
    // No markers: none of them is the project's.
    expect(findPythonInterpreter(query)).toEqual({ command: 'python3', source: 'PATH' });
    writeFileSync(path.join(root, 'environment.yml'), 'name: demo\n');
    expect(findPythonInterpreter(query)).toEqual({ command: condaPython, source: 'conda' });
    writeFileSync(path.join(root, 'Pipfile'), '[packages]\n');
    expect(findPythonInterpreter(query)).toEqual({ command: pipenvPython, source: 'pipenv' });
    writeFileSync(path.join(root, 'pyproject.toml'), '[tool.poetry]\nname = "demo"\n');
    expect(findPythonInterpreter(query)).toEqual({ command: poetryPython, source: 'poetry' });
    writeFileSync(path.join(root, 'uv.lock'), '');
    expect(findPythonInterpreter(query)).toEqual({ command: uvPython, source: 'uv' });
    const dotVenv = venvAt(path.join(root, '.venv'));
    expect(findPythonInterpreter(query)).toEqual({ command: dotVenv, source: '.venv' });
  });
});
