/**
 * The files a sandbox run needs from the user's disk, for `profile`, `optimize` and `hotspots`:
 * a Python project runs in place (src/adapters/projectCollector.ts); JavaScript/TypeScript, until
 * the Node harness runs projects in place too, gets the module, its tests, and the sources around
 * them they may import copied, as work-dir-relative paths under their common folder (or a given
 * root). Nothing is left out silently: files past the size caps are counted in `omitted`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Language, ProjectMount, SourceFile } from '../core/sandboxTypes';
import { collectProjectJob, projectRootFor } from '../adapters/projectCollector';
import { findNodeProjectRoot } from '../languages/node/projectRoot';
import { harnessOf } from '../languages/registry';

const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '__pycache__',
  '.venv',
  'venv',
  'env',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
  'dist',
  'build',
  'coverage',
  '.next',
  '.cache',
]);
const TAKE_EXTENSIONS = new Set([
  '.py',
  '.pyi',
  '.js',
  '.mjs',
  '.cjs',
  '.jsx',
  '.ts',
  '.mts',
  '.cts',
  '.tsx',
  '.json',
  '.txt',
  '.csv',
  '.cfg',
  '.ini',
  '.toml',
  '.yml',
  '.yaml',
]);
/** Runner config files whose names have no extension of their own (babel, swc). */
const TAKE_NAMES = new Set(['.babelrc', '.swcrc']);
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_TOTAL_BYTES = 16 * 1024 * 1024;

export interface JobInput {
  readonly root: string;
  readonly files: readonly SourceFile[];
  readonly modulePath: string;
  readonly testPaths: readonly string[];
  /** The project folder (nearest package.json, or its workspace root), for test runners in its node_modules. */
  readonly workspaceRoot?: string;
  /** Source files not copied because they were past the size caps (each, or all together). */
  readonly omitted: number;
}

function commonFolder(paths: readonly string[]): string {
  const split = paths.map((p) => path.dirname(p).split(path.sep));
  const first = split[0] ?? [];
  let n = first.length;
  for (const parts of split) {
    let i = 0;
    while (i < n && parts[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join(path.sep) || path.sep;
}

function toPosix(rel: string): string {
  return rel.split(path.sep).join('/');
}

/** The text of a file as the editor has it (unsaved edits), or undefined to read the disk. */
export type EditorText = (absolutePath: string) => string | undefined;

/**
 * Reads the module, the tests and the source files around them (bounded in size, counted when left
 * out), under their common folder or under `rootDir` when given (a project folder the files are in).
 */
export function collectJobInput(
  file: string,
  tests: readonly string[],
  rootDir?: string,
  editorText?: EditorText,
): JobInput {
  const module = path.resolve(file);
  const testFiles = tests.map((t) => path.resolve(t));
  const root = rootDir !== undefined ? path.resolve(rootDir) : commonFolder([module, ...testFiles]);
  const files = new Map<string, SourceFile>();
  let total = 0;
  let omitted = 0;
  const add = (absolute: string): void => {
    const rel = toPosix(path.relative(root, absolute));
    if (files.has(rel)) return;
    const content = editorText?.(absolute) ?? readFileSync(absolute, 'utf8');
    total += content.length;
    files.set(rel, { path: rel, content });
  };
  add(module);
  testFiles.forEach(add);
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(full);
      } else if (
        entry.isFile() &&
        (TAKE_EXTENSIONS.has(path.extname(entry.name).toLowerCase()) || TAKE_NAMES.has(entry.name)) &&
        entry.name !== 'job.json'
      ) {
        const size = statSync(full).size;
        if (size <= MAX_FILE_BYTES && total + size <= MAX_TOTAL_BYTES) add(full);
        else if (!files.has(toPosix(path.relative(root, full)))) omitted++;
      }
    }
  };
  walk(root);
  const workspaceRoot = findNodeProjectRoot(module)?.root;
  return {
    root,
    files: [...files.values()],
    modulePath: toPosix(path.relative(root, module)),
    testPaths: testFiles.map((t) => toPosix(path.relative(root, t))),
    ...(workspaceRoot ? { workspaceRoot } : {}),
    omitted,
  };
}

/** What the user hears when a copy left files out. */
export function omittedNote(omitted: number): string | undefined {
  return omitted > 0
    ? `${omitted} source file(s) around the tests were not copied into the sandbox (over 1 MB each, or past 16 MB in all).`
    : undefined;
}

export type SandboxJobInput =
  | (JobInput & { readonly kind: 'ok'; readonly project?: ProjectMount })
  | { readonly kind: 'error'; readonly message: string };

/**
 * The files of a run on `file` and `tests`, for `profile`, `optimize`, `hotspots` and the editor
 * alike. Python runs on the project in place (mounted read-only, the module as an overlay).
 * JavaScript and TypeScript still get their files copied into the work dir, from the project root
 * (nearest package.json or its workspace root, so relative imports that leave the module's folder
 * and the runner's config at the root — jest, babel, tsconfig `paths`, vitest — come along) until
 * the Node harness serves overlays inside the project. `editorText` gives unsaved edits.
 */
export function sandboxJobInput(
  language: Language,
  file: string,
  tests: readonly string[],
  editorText?: EditorText,
): SandboxJobInput {
  if (!harnessOf(language).runsInPlace) {
    const module = path.resolve(file);
    const testFiles = tests.map((t) => path.resolve(t));
    const root = projectRootFor(language, module, testFiles);
    // Files with no folder in common below the file system's root: copy only what is around them.
    const copyRoot = root === path.parse(root).root ? undefined : root;
    return { kind: 'ok', ...collectJobInput(module, testFiles, copyRoot, editorText) };
  }
  const collected = collectProjectJob(language, file, tests, editorText ? { editorText } : {});
  if (collected.kind === 'error') return collected;
  const { project, files, modulePath, testPaths } = collected.input;
  return { kind: 'ok', root: project.root, project, files, modulePath, testPaths, omitted: 0 };
}
