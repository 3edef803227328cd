/**
 * What every sandbox backend does the same way before the harness starts: check the job's file
 * paths, transpile TypeScript on the host, write the files and `job.json` into a fresh work dir,
 * and choose the harness command line for the language.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HarnessJob, Language, ProjectMount, SandboxJob, SourceFile } from '../core/sandboxTypes';
import type { HarnessCommand, HarnessCommandOptions } from '../languages/languageModule';
import { findLanguage, harnessOf } from '../languages/registry';

export type { HarnessCommand };

/** The job as the harness will see it: files after transpilation, and the job.json to write. */
export interface PreparedJob {
  readonly files: readonly SourceFile[];
  readonly harnessJob: HarnessJob;
}

export type PrepareOutcome =
  { readonly kind: 'ok'; readonly job: PreparedJob } | { readonly kind: 'error'; readonly message: string };

/** The default for `HarnessJob.seed`: fixed, so two runs of the same code see the same randomness. */
export const DEFAULT_SEED = 1234;

/** A job file path must stay inside the work dir: relative, POSIX separators, no `..`. */
export function checkRelativePath(p: string): string | undefined {
  if (p.length === 0) return 'an empty file path';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.includes('\\')) return `'${p}' is not a relative POSIX path`;
  if (p.split('/').some((part) => part === '..')) return `'${p}' leaves the work dir`;
  if (p === 'job.json') return `'job.json' is reserved for the harness`;
  return undefined;
}

/**
 * Validates paths and transpiles TypeScript files (also JavaScript tests of a TypeScript module)
 * to JavaScript so the harness only ever sees JS. Never throws: bad input is a value with a
 * message for the user.
 */
export function prepareJob(job: SandboxJob): PrepareOutcome {
  for (const file of job.files) {
    const problem = checkRelativePath(file.path);
    if (problem) return { kind: 'error', message: `Bad sandbox file path: ${problem}.` };
  }
  const known = new Set(job.files.map((f) => f.path));
  const referencePath = job.mode.kind === 'check' ? job.mode.reference?.modulePath : undefined;
  if (job.project) return prepareProjectJob(job, job.project, referencePath);
  for (const p of [job.modulePath, ...job.testPaths, ...(referencePath !== undefined ? [referencePath] : [])]) {
    if (!known.has(p)) return { kind: 'error', message: `The job names '${p}' but does not include that file.` };
  }
  let files = job.files;
  let modulePath = job.modulePath;
  let testPaths = job.testPaths;
  let mode = job.mode;
  const language = findLanguage(job.language);
  if (!language) return { kind: 'error', message: `No sandbox harness knows the language '${job.language}'.` };
  const transpile = language.harness.transpile;
  if (transpile?.needed(job.language, [modulePath, ...testPaths])) {
    // The reference module rides along as a last "test path": it is renamed to its emitted
    // JavaScript the same way, and a syntax error in it is reported like one in a test.
    const withReference = referencePath !== undefined ? [...testPaths, referencePath] : testPaths;
    const transpiled = transpile.run({ files, modulePath, testPaths: withReference });
    if (transpiled.kind === 'error') return transpiled;
    ({ files, modulePath } = transpiled);
    testPaths = transpiled.testPaths.slice(0, job.testPaths.length);
    const emittedReference = transpiled.testPaths[job.testPaths.length];
    if (mode.kind === 'check' && emittedReference !== undefined)
      mode = { ...mode, reference: { modulePath: emittedReference } };
  }
  const harnessJob: HarnessJob = {
    language: job.language,
    modulePath,
    testPaths,
    target: job.target,
    mode,
    measure: job.measure ?? {},
    seed: DEFAULT_SEED,
    ...(job.workspaceRoot !== undefined ? { workspaceRoot: job.workspaceRoot } : {}),
  };
  return { kind: 'ok', job: { files, harnessJob } };
}

/**
 * A job on the project in place: the module and tests are read from the mounted project, the
 * files are overlays written to the work dir at their project-relative paths. Only a reference
 * module (check mode) must be among them, because it exists nowhere else.
 */
function prepareProjectJob(job: SandboxJob, project: ProjectMount, referencePath: string | undefined): PrepareOutcome {
  if (!path.isAbsolute(project.root))
    return { kind: 'error', message: `The project root '${project.root}' is not an absolute path.` };
  for (const p of [job.modulePath, ...job.testPaths]) {
    const problem = checkRelativePath(p);
    if (problem) return { kind: 'error', message: `Bad project path: ${problem}.` };
  }
  if (referencePath !== undefined && !job.files.some((f) => f.path === referencePath))
    return { kind: 'error', message: `The job names '${referencePath}' but does not include that file.` };
  const harnessJob: HarnessJob = {
    language: job.language,
    modulePath: job.modulePath,
    testPaths: job.testPaths,
    target: job.target,
    mode: job.mode,
    measure: job.measure ?? {},
    seed: DEFAULT_SEED,
    projectRoot: path.resolve(project.root),
    overlays: job.files.map((f) => f.path),
    ...(job.workspaceRoot !== undefined ? { workspaceRoot: job.workspaceRoot } : {}),
  };
  return { kind: 'ok', job: { files: job.files, harnessJob } };
}

/** Writes the files at their relative paths plus `job.json` into `dir` (which must exist). */
export async function writeJobFiles(dir: string, job: PreparedJob): Promise<void> {
  for (const file of job.files) {
    const target = path.join(dir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
  await writeFile(path.join(dir, 'job.json'), JSON.stringify(job.harnessJob));
}

/**
 * A fresh private directory under the system temp dir, named `<prefix>XXXXXX` (the name doubles
 * as a marker to find a run's processes). Readable by others only when `shared` (a sandbox that
 * drops to an unprivileged user must be able to read its input).
 */
export async function makeWorkDir(prefix: string, shared = false): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  if (shared) await chmod(dir, 0o755);
  return dir;
}

export async function removeWorkDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

export type CommandOptions = HarnessCommandOptions;

/** The command line of the harness protocol for the language (its module's HarnessSpec). */
export function harnessCommand(language: Language, options: CommandOptions): HarnessCommand {
  return harnessOf(language).command(options);
}

/**
 * The repo's `sandbox/` folder: found upward from this file, which is `dist/` once bundled and
 * `src/adapters/` under test.
 */
export function defaultHarnessDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'sandbox');
    if (existsSync(path.join(candidate, 'python')) || existsSync(path.join(candidate, 'node'))) return candidate;
    dir = path.dirname(dir);
  }
  return path.join(__dirname, '..', 'sandbox');
}

/** The first executable named `name` on `searchPath`, or undefined. */
export function findOnPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface PythonInstall {
  /** The real interpreter binary (not a pyenv shim or a wrapper script). */
  readonly executable: string;
  /** Folders the interpreter needs to see: sys.prefix and sys.base_prefix. */
  readonly prefixes: readonly string[];
  readonly version: string;
}

const pythonCache = new Map<string, PythonInstall | undefined>();

/**
 * Asks `python` (a name on PATH or a path) where it really lives, so a sandbox can run the
 * binary itself and expose just its install folders. Cached per name.
 */
export function probePython(python = 'python3'): PythonInstall | undefined {
  if (pythonCache.has(python)) return pythonCache.get(python);
  let install: PythonInstall | undefined;
  try {
    const out = execFileSync(
      python,
      ['-c', 'import sys,json;print(json.dumps([sys.executable,sys.prefix,sys.base_prefix,sys.version.split()[0]]))'],
      {
        encoding: 'utf8',
        timeout: 10_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const [executable, prefix, basePrefix, version] = JSON.parse(out) as [string, string, string, string];
    const inside = (dir: string): boolean =>
      [prefix, basePrefix].some((p) => dir === p || dir.startsWith(p + path.sep));
    const outside = linkDirs(executable).filter((dir) => !inside(dir));
    if (executable) install = { executable, prefixes: [...new Set([prefix, basePrefix, ...outside])], version };
  } catch {
    install = undefined;
  }
  pythonCache.set(python, install);
  return install;
}

/**
 * The folders of each link on the way from `file` to the interpreter binary (a venv's python3 →
 * a symlink farm such as ~/.local/bin or /opt/x/bin → the real binary): the sandbox must walk
 * every hop, and a folder outside the interpreter's prefixes would otherwise not be there.
 */
function linkDirs(file: string): string[] {
  const dirs: string[] = [];
  let at = file;
  for (let hop = 0; hop < 16; hop++) {
    dirs.push(path.dirname(at));
    let target: string;
    try {
      target = readlinkSync(at);
    } catch {
      break; // not a link: the binary itself
    }
    at = path.resolve(path.dirname(at), target);
  }
  return dirs;
}

export interface NodeInstall {
  readonly executable: string;
  /** The install prefix (`<prefix>/bin/node`), which also holds its libraries. */
  readonly prefix: string;
  readonly version: string;
  /** Extra environment the binary needs to act as plain Node (Electron's binary inside VS Code). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * A Node binary for the harness: `node` on PATH, else the running binary (inside VS Code that is
 * Electron, which behaves as Node with ELECTRON_RUN_AS_NODE=1).
 */
let nodeCache: NodeInstall | undefined;

export function probeNode(): NodeInstall {
  nodeCache ??= findNode();
  return nodeCache;
}

function findNode(): NodeInstall {
  const found = findOnPath('node');
  const onPath = found ? realpathSync(found) : undefined;
  if (onPath) {
    try {
      const version = execFileSync(onPath, ['--version'], {
        encoding: 'utf8',
        timeout: 10_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      return { executable: onPath, prefix: path.dirname(path.dirname(onPath)), version, env: {} };
    } catch {
      // fall through to the running binary
    }
  }
  const electron = 'electron' in process.versions;
  return {
    executable: process.execPath,
    prefix: path.dirname(path.dirname(process.execPath)),
    version: process.version,
    env: electron ? { ELECTRON_RUN_AS_NODE: '1' } : {},
  };
}
