import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPythonInterpreter } from '../../src/languages/python/interpreter';

const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function venvAt(dir: string): string {
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  const python = path.join(dir, 'bin', 'python3');
  writeFileSync(python, '');
  return python;
}

function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ab-interp-'));
  temps.push(root);
  return root;
}

describe('the project interpreter', () => {
  it('prefers the one the user named, then the active venv, then .venv, then venv, then python3', () => {
    const root = project();
    const dotVenv = venvAt(path.join(root, '.venv'));
    const plainVenv = venvAt(path.join(root, 'venv'));
    const active = venvAt(path.join(root, 'elsewhere'));
    const env = { VIRTUAL_ENV: path.join(root, 'elsewhere') };
    expect(findPythonInterpreter({ named: '/opt/py/bin/python3', env, projectRoot: root })).toEqual({
      command: '/opt/py/bin/python3',
      source: 'named',
    });
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
});
