// The rest of the project in the work dir. The host copies a JavaScript/TypeScript project's
// sources into the work dir (the candidate then replaces the module there), but tests read more
// than sources: fixtures of any type (.md, .html, .png), jest snapshots (__snapshots__/*.snap:
// under `jest --ci` a missing one fails the test), built files under dist/, files past the copy's
// size caps. Without them the original fails its own tests in the sandbox while `npx jest` passes.
// So every project file or folder the work dir lacks is made visible at its own relative path:
// linked to the project when the project is read-only here (the Docker and bwrap sandboxes mount
// it so), copied when it is writable (a link would let the tests write into the user's files),
// within bounds, and what did not fit is said.
import fs from 'node:fs';
import path from 'node:path';

/** Never taken: VCS data is not the project's. */
const SKIPPED = new Set(['.git', '.hg', '.svn']);
/**
 * Not taken at the root: the workspace's packages are linked by linkWorkspaceModules, and the
 * work dir's job file is the harness's. (A node_modules further down is a member package's own
 * dependencies, or a test fixture: taken.)
 */
const SKIPPED_AT_ROOT = new Set(['node_modules', 'job.json']);
/** Bounds of a copy (a writable project): per file, in all, and entries walked. */
const COPY_FILE_BYTES = 4 * 1024 * 1024;
const COPY_TOTAL_BYTES = 64 * 1024 * 1024;
const MAX_ENTRIES = 50_000;

/** TypeScript sources whose emitted JavaScript the work dir may hold in their place. */
const TYPESCRIPT_SOURCES = ['.ts', '.tsx', '.mts', '.cts'];

/**
 * The folder the work dir mirrors: the workspace root when the module sits at the same relative
 * path under it (the host copied from there), else none. A TypeScript module arrives transpiled
 * (src/utils.ts as src/utils.mjs), so its source under the root counts too.
 */
export function mirroredRoot(workspaceRoot, modulePath, workDir = process.cwd()) {
  if (!workspaceRoot || !modulePath || path.resolve(workspaceRoot) === path.resolve(workDir)) return undefined;
  const stem = modulePath.replace(/\.[cm]?js$/, '');
  const names = stem === modulePath ? [modulePath] : [modulePath, ...TYPESCRIPT_SOURCES.map((ext) => stem + ext)];
  return names.some((name) => isFile(path.join(workspaceRoot, name))) ? path.resolve(workspaceRoot) : undefined;
}

/**
 * Makes the files and folders of `root` that the work dir lacks visible there: links when
 * `readOnly`, else copies. Returns a note for the report when some could not be (else undefined).
 */
export function completeProjectView(root, workDir = process.cwd(), readOnly = !writable(root)) {
  const link = readOnly;
  const state = { entries: 0, copiedBytes: 0, left: 0 };
  const walk = (from, to) => {
    let entries;
    try {
      entries = fs.readdirSync(from, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (SKIPPED.has(entry.name) || (from === root && SKIPPED_AT_ROOT.has(entry.name))) continue;
      if (++state.entries > MAX_ENTRIES) continue;
      const source = path.join(from, entry.name);
      const target = path.join(to, entry.name);
      const there = fs.lstatSync(target, { throwIfNoEntry: false });
      if (there?.isDirectory() && entry.isDirectory()) walk(source, target);
      else if (there === undefined && (entry.isFile() || entry.isDirectory()))
        if (link) tryLink(source, target, entry.isDirectory(), state);
        else if (entry.isDirectory()) copyFolder(source, target, walk);
        else copyFile(source, target, state);
      // A link the project holds (a fixture such as hello.link.mjs): linked to the project's, or
      // its file copied (a folder behind a link is left out of a copy: it may lead anywhere).
      else if (there === undefined && entry.isSymbolicLink())
        if (link) tryLink(source, target, isFolder(source), state);
        else if (isFile(source)) copyFile(source, target, state);
    }
  };
  walk(root, workDir);
  if (state.entries > MAX_ENTRIES) state.left += state.entries - MAX_ENTRIES;
  return state.left > 0
    ? `${state.left} project file(s) or folder(s) the host did not copy are not in the sandbox's copy of the project (past ${COPY_TOTAL_BYTES / 1024 / 1024} MB or ${MAX_ENTRIES} entries): a test that reads them fails here`
    : undefined;
}

function tryLink(source, target, folder, state) {
  try {
    fs.symlinkSync(source, target, folder ? 'dir' : 'file');
  } catch {
    state.left++;
  }
}

function copyFolder(source, target, walk) {
  try {
    fs.mkdirSync(target);
  } catch {
    return;
  }
  walk(source, target);
}

function copyFile(source, target, state) {
  const size = fs.statSync(source, { throwIfNoEntry: false })?.size ?? 0;
  if (size > COPY_FILE_BYTES || state.copiedBytes + size > COPY_TOTAL_BYTES) {
    state.left++;
    return;
  }
  try {
    fs.copyFileSync(source, target);
    state.copiedBytes += size;
  } catch {
    state.left++;
  }
}

/** False where this process cannot write there (a read-only mount, or files it does not own). */
function writable(dir) {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function isFolder(dir) {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
