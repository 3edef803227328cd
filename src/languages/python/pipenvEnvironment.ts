/**
 * Pipenv's virtual environment of a project, found without running Pipenv: `{WORKON_HOME}/{name}-{hash}`
 * where name is the Pipfile's folder name with shell-hostile characters replaced (cut to 42) and
 * hash the first 8 characters of the URL-safe base64 of the first 6 bytes of the SHA-256 of the
 * Pipfile's real path; PIPENV_CUSTOM_VENV_NAME replaces the whole name, and a `.venv` file in the
 * project names the environment (a path, or a name under WORKON_HOME).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ToolContext } from './poetryEnvironment';
import { venvPython } from './venvPython';

/** `name-hash` for a Pipfile at `realPipfilePath`. */
export function pipenvEnvName(realPipfilePath: string, separator: string = path.sep): string {
  const folder = realPipfilePath.split(separator).slice(-2, -1)[0] ?? '';
  const sanitized = [...folder.replace(/[ &$`!*@"()[\]\\\r\n\t]/g, '_')].slice(0, 42).join('');
  const hash = createHash('sha256').update(realPipfilePath, 'utf8').digest().subarray(0, 6).toString('base64url');
  return `${sanitized}-${hash.slice(0, 8)}`;
}

/** WORKON_HOME, else `$XDG_DATA_HOME/virtualenvs` (`~/.local/share/virtualenvs`); `~/.virtualenvs` on Windows. */
export function pipenvWorkonHome({ env, home, platform }: ToolContext): string {
  const expand = (p: string): string => (p === '~' || p.startsWith('~/') ? path.join(home, p.slice(1)) : p);
  if (env.WORKON_HOME) return expand(env.WORKON_HOME);
  if (platform === 'win32') return path.join(home, '.virtualenvs');
  return path.join(expand(env.XDG_DATA_HOME || '~/.local/share'), 'virtualenvs');
}

/** The Python of the project's Pipenv environment; undefined without a Pipfile or an environment. */
export function findPipenvPython(projectRoot: string, context: ToolContext): string | undefined {
  const pipfile = path.join(projectRoot, 'Pipfile');
  if (!existsSync(pipfile)) return undefined;
  const workonHome = pipenvWorkonHome(context);
  const named = dotVenvFile(projectRoot);
  if (named !== undefined) {
    const dir = /[\\/]/.test(named) ? path.resolve(projectRoot, named) : path.join(workonHome, named);
    return venvPython(dir);
  }
  if (context.env.PIPENV_CUSTOM_VENV_NAME)
    return venvPython(path.join(workonHome, context.env.PIPENV_CUSTOM_VENV_NAME));
  let real: string;
  try {
    real = realpathSync(pipfile);
  } catch {
    return undefined;
  }
  return venvPython(path.join(workonHome, pipenvEnvName(real)));
}

/** The content of a `.venv` FILE (not folder) at the project root, as Pipenv reads it. */
function dotVenvFile(projectRoot: string): string | undefined {
  const file = path.join(projectRoot, '.venv');
  try {
    if (!statSync(file).isFile()) return undefined;
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}
