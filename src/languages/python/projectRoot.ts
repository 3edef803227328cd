/**
 * Where a Python project starts, as its own `pytest` run would see it: the nearest folder with a
 * project or test-runner config file, else the version-control root.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { findUp, findVcsRoot } from '../vcsRoot';

export const PYTHON_ROOT_MARKERS = ['pyproject.toml', 'setup.cfg', 'setup.py', 'pytest.ini', 'tox.ini'] as const;

/**
 * The project root of the Python file or folder `from`: the nearest folder at or above it with
 * pyproject.toml, setup.cfg, setup.py, pytest.ini or tox.ini, else the VCS root, else undefined.
 */
export function findPythonProjectRoot(from: string): string | undefined {
  const start = startDir(from);
  return findUp(start, (dir) => PYTHON_ROOT_MARKERS.some((m) => existsSync(path.join(dir, m)))) ?? findVcsRoot(start);
}

function startDir(from: string): string {
  const absolute = path.resolve(from);
  try {
    return statSync(absolute).isDirectory() ? absolute : path.dirname(absolute);
  } catch {
    return path.dirname(absolute);
  }
}
