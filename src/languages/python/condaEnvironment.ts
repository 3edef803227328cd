/**
 * The conda environment a project names in its environment.yml (`name:`), found without running
 * conda: the active one (CONDA_PREFIX) when it is that environment, else a folder of that name in
 * the places conda and mamba keep environments (CONDA_ENVS_PATH / CONDA_ENVS_DIRS, `envs_dirs` of
 * ~/.condarc, the installation's own envs/ from CONDA_EXE or MAMBA_ROOT_PREFIX, ~/.conda/envs and
 * the usual installation folders), else the active one as before.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ToolContext } from './poetryEnvironment';
import { venvPython } from './venvPython';

const ENVIRONMENT_FILES = ['environment.yml', 'environment.yaml'];
const INSTALLS = ['miniconda3', 'anaconda3', 'miniforge3', 'mambaforge', 'micromamba', 'miniconda', 'anaconda'];

/** The `name:` of the project's environment.yml; '' when it has the file but no name; undefined without it. */
export function condaEnvironmentName(projectRoot: string): string | undefined {
  for (const file of ENVIRONMENT_FILES) {
    let text: string;
    try {
      text = readFileSync(path.join(projectRoot, file), 'utf8');
    } catch {
      continue;
    }
    const match = /^name:\s*["']?([^"'#\s]+)["']?\s*(#.*)?$/m.exec(text);
    return match?.[1] ?? '';
  }
  return undefined;
}

/** The `envs_dirs:` list of a .condarc (YAML block list or flow list). */
function condarcEnvsDirs(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const flow = /^envs_dirs:\s*\[([^\]]*)\]/m.exec(text);
  if (flow) return (flow[1] ?? '').split(',').map(unquote).filter(Boolean);
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => /^envs_dirs:\s*(#.*)?$/.test(line));
  if (start < 0) return [];
  const dirs: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const item = /^\s+-\s+(.+?)\s*(#.*)?$/.exec(line);
    if (!item) break;
    dirs.push(unquote(item[1] ?? ''));
  }
  return dirs;
}

function unquote(value: string): string {
  return value.trim().replace(/^["']|["']$/g, '');
}

/** The folders conda would look for a named environment in, first match wins. */
export function condaEnvsDirs({ env, home, platform }: ToolContext): string[] {
  const expand = (dir: string): string => (dir === '~' || dir.startsWith('~/') ? path.join(home, dir.slice(1)) : dir);
  const listed = (env.CONDA_ENVS_PATH ?? env.CONDA_ENVS_DIRS ?? '').split(platform === 'win32' ? ';' : ':');
  const rcDirs = [path.join(home, '.condarc'), path.join(home, '.conda', '.condarc')].flatMap(condarcEnvsDirs);
  // CONDA_EXE is {install}/bin/conda (Scripts\conda.exe on Windows).
  const install = env.CONDA_EXE ? path.dirname(path.dirname(env.CONDA_EXE)) : undefined;
  const dirs = [
    ...listed,
    ...rcDirs,
    ...(install ? [path.join(install, 'envs')] : []),
    ...(env.MAMBA_ROOT_PREFIX ? [path.join(env.MAMBA_ROOT_PREFIX, 'envs')] : []),
    path.join(home, '.conda', 'envs'),
    ...INSTALLS.map((name) => path.join(home, name, 'envs')),
    ...(platform === 'win32' ? [] : ['/opt/conda/envs']),
  ];
  return [...new Set(dirs.filter(Boolean).map(expand))];
}

function condaPython(prefix: string): string | undefined {
  return (
    venvPython(prefix) ?? (existsSync(path.join(prefix, 'python.exe')) ? path.join(prefix, 'python.exe') : undefined)
  );
}

/** The Python of the project's conda environment, or undefined when it has no environment.yml or none is found. */
export function findCondaPython(projectRoot: string, context: ToolContext): string | undefined {
  const name = condaEnvironmentName(projectRoot);
  if (name === undefined) return undefined;
  const active = context.env.CONDA_PREFIX;
  if (active && (name === '' || path.basename(active) === name)) return condaPython(active);
  if (name !== '') {
    for (const dir of condaEnvsDirs(context)) {
      const python = condaPython(path.join(dir, name));
      if (python) return python;
    }
  }
  return active ? condaPython(active) : undefined;
}
