/**
 * Poetry's own virtual environment of a project, found without running Poetry: the folder Poetry
 * names `{name}-{hash}-py{major.minor}` under `{cache-dir}/virtualenvs` (EnvManager.generate_env_name:
 * the lower-cased name with shell-hostile characters replaced, cut to 42, a dash, then the first 8
 * characters of the URL-safe base64 SHA-256 of the real, case-normalised project folder).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { venvPython } from './venvPython';

export interface ToolContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
  readonly platform: NodeJS.Platform;
}

/** PEP 503's normal form, as poetry-core keeps a package's name. */
function canonicalName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** The base name of the project's environments, without the `-pyX.Y` suffix. */
export function poetryEnvName(projectName: string, realProjectDir: string, platform: NodeJS.Platform): string {
  const sanitized = [...canonicalName(projectName).replace(/[ $`!*@"\\\r\n\t]/g, '_')].slice(0, 42).join('');
  // os.path.normcase: Windows lower-cases and turns slashes into backslashes; POSIX keeps the path.
  const normalized = platform === 'win32' ? realProjectDir.replace(/\//g, '\\').toLowerCase() : realProjectDir;
  const hash = createHash('sha256').update(normalized, 'utf8').digest('base64url').slice(0, 8);
  return `${sanitized}-${hash}`;
}

/** Poetry's cache-dir: POETRY_CACHE_DIR, else the platform's user cache folder for "pypoetry". */
export function poetryCacheDir({ env, home, platform }: ToolContext): string {
  if (env.POETRY_CACHE_DIR) return env.POETRY_CACHE_DIR;
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'pypoetry');
  if (platform === 'win32')
    return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'pypoetry', 'Cache');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'pypoetry');
}

/** Poetry's config folder: POETRY_CONFIG_DIR, else the platform's user config folder for "pypoetry". */
export function poetryConfigDir({ env, home, platform }: ToolContext): string {
  if (env.POETRY_CONFIG_DIR) return env.POETRY_CONFIG_DIR;
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'pypoetry');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'pypoetry');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'pypoetry');
}

/**
 * `cache-dir` and `virtualenvs.path` as a Poetry config file sets them (`poetry config` writes
 * config.toml; a project's poetry.toml overrides it): a `[virtualenvs]` table or dotted keys.
 */
export function poetryConfigValues(file: string): { cacheDir?: string; virtualenvsPath?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const values: { cacheDir?: string; virtualenvsPath?: string } = {};
  let table = '';
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$/.exec(line);
    if (header) {
      table = header[1] ?? '';
      continue;
    }
    const pair = /^\s*([A-Za-z0-9_.\-"]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')/.exec(line);
    if (!pair) continue;
    const key = [table, (pair[1] ?? '').replace(/"/g, '')].filter(Boolean).join('.');
    const value = pair[3] ?? (pair[2] ?? '').replace(/\\(.)/g, '$1');
    if (key === 'cache-dir') values.cacheDir = value;
    if (key === 'virtualenvs.path') values.virtualenvsPath = value;
  }
  return values;
}

/**
 * Where Poetry keeps environments outside projects: POETRY_VIRTUALENVS_PATH, else `virtualenvs.path`
 * of the project's poetry.toml or of Poetry's config.toml (`{cache-dir}` in it expanded), else
 * `{cache-dir}/virtualenvs`; cache-dir is POETRY_CACHE_DIR, else the configs' `cache-dir`, else the
 * platform's.
 */
export function poetryVirtualenvsDir(context: ToolContext, projectRoot?: string): string {
  if (context.env.POETRY_VIRTUALENVS_PATH) return context.env.POETRY_VIRTUALENVS_PATH;
  const user = poetryConfigValues(path.join(poetryConfigDir(context), 'config.toml'));
  const local = projectRoot !== undefined ? poetryConfigValues(path.join(projectRoot, 'poetry.toml')) : {};
  const configured = local.cacheDir ?? user.cacheDir;
  const cacheDir =
    context.env.POETRY_CACHE_DIR || (configured ? expandHome(configured, context.home) : poetryCacheDir(context));
  const virtualenvs = local.virtualenvsPath ?? user.virtualenvsPath;
  if (virtualenvs === undefined) return path.join(cacheDir, 'virtualenvs');
  const expanded = expandHome(virtualenvs.replace(/\{cache-dir\}/g, cacheDir), context.home);
  return projectRoot !== undefined ? path.resolve(projectRoot, expanded) : expanded;
}

function expandHome(value: string, home: string): string {
  return value === '~' || value.startsWith('~/') ? path.join(home, value.slice(1)) : value;
}

/** The project's name from pyproject.toml when Poetry manages it (`[tool.poetry]`, or `[project]` beside poetry.lock). */
export function poetryProjectName(projectRoot: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(projectRoot, 'pyproject.toml'), 'utf8');
  } catch {
    return undefined;
  }
  const poetry = tableName(text, 'tool.poetry');
  const usesPoetry = poetry !== undefined || existsSync(path.join(projectRoot, 'poetry.lock'));
  if (!usesPoetry) return undefined;
  return poetry?.name ?? tableName(text, 'project')?.name;
}

function tableName(text: string, table: string): { name: string | undefined } | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === `[${table}]`);
  if (start < 0) return undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\s*\[/.test(line)) break;
    const match = /^\s*name\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(line);
    if (match) return { name: match[1] ?? match[2] };
  }
  return { name: undefined };
}

/**
 * The Python of the project's Poetry environment: the one `envs.toml` says is active for it, else
 * the newest `-pyX.Y` one that exists. Undefined when the project is not Poetry's or has none.
 */
export function findPoetryPython(projectRoot: string, context: ToolContext): string | undefined {
  const name = poetryProjectName(projectRoot);
  if (name === undefined) return undefined;
  let real: string;
  try {
    real = realpathSync(projectRoot);
  } catch {
    return undefined;
  }
  const base = poetryEnvName(name, real, context.platform);
  const dir = poetryVirtualenvsDir(context, projectRoot);
  const active = activeMinor(path.join(dir, 'envs.toml'), base);
  if (active !== undefined) {
    const python = venvPython(path.join(dir, `${base}-py${active}`));
    if (python) return python;
  }
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined;
  }
  const versions = entries
    .filter((entry) => entry.startsWith(`${base}-py`))
    .sort((a, b) => compareVersions(b.slice(base.length + 3), a.slice(base.length + 3)));
  for (const entry of versions) {
    const python = venvPython(path.join(dir, entry));
    if (python) return python;
  }
  return undefined;
}

/** `[base]` → `minor = "3.11"` in Poetry's envs.toml. */
function activeMinor(envsFile: string, base: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(envsFile, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === `[${base}]` || line.trim() === `["${base}"]`);
  if (start < 0) return undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\s*\[/.test(line)) break;
    const match = /^\s*minor\s*=\s*"([^"]+)"/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return a.localeCompare(b);
}
