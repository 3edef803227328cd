/**
 * Which Python runs a project's tests, in the order a user expects: the one they named (`--python`
 * or the `afterburner.python.interpreter` setting), the one selected in the VS Code Python
 * extension, the active virtual environment (VIRTUAL_ENV), a `.venv` or `venv` folder at the
 * project root, the environment the project's tool keeps elsewhere (uv's UV_PROJECT_ENVIRONMENT,
 * Poetry, Pipenv, an active conda environment), then `python3` on PATH. The tools' environments
 * count only when the project carries the tool's marker file.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { findPipenvPython } from './pipenvEnvironment';
import { findPoetryPython, type ToolContext } from './poetryEnvironment';
import { findCondaPython } from './condaEnvironment';
import { venvPython } from './venvPython';

export type InterpreterSource =
  | '--python'
  | 'setting'
  | 'python-extension'
  | 'VIRTUAL_ENV'
  | '.venv'
  | 'venv'
  | 'uv'
  | 'poetry'
  | 'pipenv'
  | 'conda'
  | 'PATH';

export interface InterpreterChoice {
  /** A path, or `python3` (looked up on PATH). */
  readonly command: string;
  readonly source: InterpreterSource;
}

export interface InterpreterQuery {
  /** The interpreter the user named, and where: `--python` or the setting. */
  readonly named?: { readonly path: string; readonly source: '--python' | 'setting' };
  /** The interpreter the VS Code Python extension has selected for the file's folder. */
  readonly selected?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly projectRoot?: string;
  /** The user's home folder (default: os.homedir()). */
  readonly home?: string;
  readonly platform?: NodeJS.Platform;
}

export function findPythonInterpreter(query: InterpreterQuery): InterpreterChoice {
  if (query.named !== undefined && query.named.path.trim() !== '')
    return { command: query.named.path, source: query.named.source };
  if (query.selected !== undefined && query.selected.trim() !== '')
    return { command: query.selected, source: 'python-extension' };
  const active = query.env.VIRTUAL_ENV;
  const fromActive = active ? venvPython(active) : undefined;
  if (fromActive) return { command: fromActive, source: 'VIRTUAL_ENV' };
  const root = query.projectRoot;
  if (root !== undefined) {
    for (const folder of ['.venv', 'venv'] as const) {
      const found = venvPython(path.join(root, folder));
      if (found) return { command: found, source: folder };
    }
    const context: ToolContext = {
      env: query.env,
      home: query.home ?? homedir(),
      platform: query.platform ?? process.platform,
    };
    const tool = toolEnvironment(root, context);
    if (tool) return tool;
  }
  return { command: 'python3', source: 'PATH' };
}

function toolEnvironment(root: string, context: ToolContext): InterpreterChoice | undefined {
  const uvDir = context.env.UV_PROJECT_ENVIRONMENT;
  const uv = uvDir && existsSync(path.join(root, 'uv.lock')) ? venvPython(path.resolve(root, uvDir)) : undefined;
  if (uv) return { command: uv, source: 'uv' };
  const poetry = findPoetryPython(root, context);
  if (poetry) return { command: poetry, source: 'poetry' };
  const pipenv = findPipenvPython(root, context);
  if (pipenv) return { command: pipenv, source: 'pipenv' };
  const conda = findCondaPython(root, context);
  if (conda) return { command: conda, source: 'conda' };
  return undefined;
}

/**
 * The setting's value as a path: `~` and `${workspaceFolder}` expanded, a relative path taken from
 * the workspace folder (as the Python extension reads its own interpreter settings); a bare name
 * ("python3.12") stays a name looked up on PATH.
 */
export function expandInterpreterSetting(value: string, folder: string | undefined, home: string = homedir()): string {
  let expanded = value.trim().replace(/\$\{workspaceFolder\}/g, folder ?? '');
  if (expanded === '~' || expanded.startsWith('~/')) expanded = path.join(home, expanded.slice(1));
  if (folder !== undefined && !path.isAbsolute(expanded) && /[\\/]/.test(expanded))
    expanded = path.resolve(folder, expanded);
  return expanded;
}

/** How the choice reads in the CLI, `doctor` and the panel. */
export function describeInterpreterSource(source: InterpreterSource | 'image'): string {
  switch (source) {
    case '--python':
      return 'given with --python';
    case 'setting':
      return 'the setting afterburner.python.interpreter';
    case 'python-extension':
      return 'selected in the Python extension';
    case 'VIRTUAL_ENV':
      return 'the active virtual environment (VIRTUAL_ENV)';
    case '.venv':
    case 'venv':
      return `the project's ${source}`;
    case 'uv':
      return "uv's project environment (UV_PROJECT_ENVIRONMENT)";
    case 'poetry':
      return "the project's Poetry environment";
    case 'pipenv':
      return "the project's Pipenv environment";
    case 'conda':
      return 'the conda environment environment.yml names (the active one, CONDA_PREFIX, when it is that one)';
    case 'PATH':
      return 'python3 on PATH';
    case 'image':
      return "the Docker image's Python";
  }
}
