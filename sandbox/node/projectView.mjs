// The rest of the project in the work dir. The host copies a JavaScript/TypeScript project's
// sources into the work dir (the candidate then replaces the module there), but tests read more
// than sources: fixtures of any type (.md, .html, .png), jest snapshots (__snapshots__/*.snap:
// under `jest --ci` a missing one fails the test), built files under dist/, files past the copy's
// size caps. Without them the original fails its own tests in the sandbox while `npx jest` passes.
// So every project file or folder the work dir lacks is made visible at its own relative path, as a
// private copy the tests may write into (as they write into the project under `npx jest`: a cache
// folder, an output file, a fixture rewritten), within bounds. Past the bounds a read-only project
// (the Docker and bwrap sandboxes mount it so) is linked to, so reads still see it, and a writable
// one is left out (a link would let the tests write into the user's files) and said. A folder of
// packages (node_modules below the root) is linked whole: it is read, not written, and a package
// copied in part is broken.
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
/**
 * Bounds of the copy: per file, in all, and entries copied. Where the project is read-only the
 * copy shares the work dir's tmpfs (64 MB under Docker) with the sources and whatever the tests
 * write, and the rest is linked; where it is writable what does not fit is left out.
 */
const COPY_FILE_BYTES = 4 * 1024 * 1024;
const COPY_TOTAL_BYTES = { linkingTheRest: 16 * 1024 * 1024, alone: 64 * 1024 * 1024 };
const COPY_ENTRIES = { linkingTheRest: 5_000, alone: 50_000 };

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
 * Makes the files and folders of `root` that the work dir lacks visible there: copied within
 * bounds, the rest linked when `readOnly` (else left out). Returns a note for the report when some
 * could not be made visible (else undefined).
 */
export function completeProjectView(root, workDir = process.cwd(), readOnly = !writable(root)) {
  const bounds = readOnly ? 'linkingTheRest' : 'alone';
  const state = {
    link: readOnly,
    bytesLeft: COPY_TOTAL_BYTES[bounds],
    entriesLeft: COPY_ENTRIES[bounds],
    left: 0,
  };
  const walk = (from, to) => {
    let entries;
    try {
      entries = fs.readdirSync(from, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (SKIPPED.has(entry.name) || (from === root && SKIPPED_AT_ROOT.has(entry.name))) continue;
      const source = path.join(from, entry.name);
      const target = path.join(to, entry.name);
      const there = fs.lstatSync(target, { throwIfNoEntry: false });
      if (there?.isDirectory() && entry.isDirectory()) walk(source, target);
      else if (there !== undefined) continue;
      else if (entry.isDirectory()) placeFolder(source, target, state, walk);
      else if (entry.isFile()) placeFile(source, target, state);
      // A link the project holds (a fixture such as hello.link.mjs): its file copied, or linked to
      // the project's link; a folder behind a link is never copied (it may lead anywhere).
      else if (entry.isSymbolicLink())
        if (isFile(source)) placeFile(source, target, state);
        else if (state.link) tryLink(source, target, isFolder(source), state);
    }
  };
  walk(root, workDir);
  return state.left > 0
    ? `${state.left} project file(s) or folder(s) the host did not copy are not in the sandbox's copy of the project (past ${COPY_TOTAL_BYTES[bounds] / 1024 / 1024} MB or ${COPY_ENTRIES[bounds]} entries): a test that reads them fails here`
    : undefined;
}

/** A folder copied when its entries fit what is left of the bounds, else linked or left out. */
function placeFolder(source, target, state, walk) {
  const wanted =
    path.basename(source) === 'node_modules' && state.link ? Infinity : entriesUpTo(source, state.entriesLeft);
  if (wanted > state.entriesLeft) {
    if (state.link) tryLink(source, target, true, state);
    else state.left++;
    return;
  }
  try {
    fs.mkdirSync(target);
  } catch {
    state.left++;
    return;
  }
  state.entriesLeft--;
  walk(source, target);
}

/** A file copied when it fits, else linked or left out; a copy the disk refuses is linked too. */
function placeFile(source, target, state) {
  const size = fs.statSync(source, { throwIfNoEntry: false })?.size ?? 0;
  if (size <= COPY_FILE_BYTES && size <= state.bytesLeft && state.entriesLeft > 0) {
    try {
      fs.copyFileSync(source, target);
      state.bytesLeft -= size;
      state.entriesLeft--;
      return;
    } catch {
      // Falls through: linked where it may be.
    }
  }
  if (state.link) tryLink(source, target, false, state);
  else state.left++;
}

/** How many entries lie below `dir`, counted up to one past `limit`. */
function entriesUpTo(dir, limit) {
  let count = 0;
  const pending = [dir];
  while (pending.length > 0 && count <= limit) {
    const folder = pending.pop();
    let entries;
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      continue;
    }
    count += entries.length;
    for (const entry of entries) if (entry.isDirectory()) pending.push(path.join(folder, entry.name));
  }
  return count;
}

function tryLink(source, target, folder, state) {
  try {
    fs.symlinkSync(source, target, folder ? 'dir' : 'file');
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
