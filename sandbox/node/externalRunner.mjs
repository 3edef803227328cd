// jest / vitest test files get their verdict from the workspace's own install
// (node_modules/.bin of the job's workspaceRoot, else of AFTERBURNER_WORKSPACE, else of a folder
// above the work dir), run once per file with its JSON reporter. The workspace is read-only in the
// sandbox, so nothing may be written there: the work dir gets a node_modules of its own holding one
// link per workspace package (cache folders left out, so a runner that caches anyway creates them
// in the work dir), and the runner is told not to cache.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { HarnessError } from './harnessError.mjs';
import { keepOutput } from './reportChannel.mjs';
import { locationInStack } from './stackLocation.mjs';
import { moduleFormat } from './targetModule.mjs';
import { nodeMismatch } from './nodeEngines.mjs';

const MAX_MESSAGE = 2000;
/** Folders runners write caches into (vite, vitest, babel, …); never linked from the workspace. */
const CACHE_ENTRIES = new Set(['.cache', '.vite', '.vite-temp', '.vitest']);
/** The file names vitest and jest pick up by default. */
const TEST_FILE_NAME = /\.(test|spec)\.[cm]?[jt]sx?$/;

function isDirectory(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function workspaceRoots(workspaceRoot) {
  const roots = [];
  if (workspaceRoot) roots.push(workspaceRoot);
  if (process.env.AFTERBURNER_WORKSPACE) roots.push(process.env.AFTERBURNER_WORKSPACE);
  return roots;
}

export function findRunnerBinary(kind, workspaceRoot) {
  const roots = workspaceRoots(workspaceRoot);
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    roots.push(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const root of roots) {
    const bin = path.join(root, 'node_modules', '.bin', kind);
    if (fs.existsSync(bin)) return { bin, root, looked: roots };
  }
  return { bin: undefined, root: undefined, looked: roots };
}

/**
 * Lets files in the work dir import the workspace's packages (the test runner itself, and what
 * the module imports): `./node_modules/<name>` → `<workspace>/node_modules/<name>`. Node resolves
 * the links to their real paths, so packages find their own dependencies in the workspace.
 */
export function linkWorkspaceModules(workspaceRoot) {
  const own = path.join(process.cwd(), 'node_modules');
  if (fs.existsSync(own)) return;
  const source = workspaceRoots(workspaceRoot)
    .map((root) => path.join(root, 'node_modules'))
    .find((dir) => path.resolve(dir) !== own && isDirectory(dir));
  if (!source) return;
  try {
    fs.mkdirSync(own);
    for (const name of fs.readdirSync(source)) {
      if (!CACHE_ENTRIES.has(name)) fs.symlinkSync(path.join(source, name), path.join(own, name));
    }
  } catch {
    // A read-only work dir: packages then resolve only from folders above it.
  }
}

/** Node scripts run with this process's binary (also Electron's, as Node), so no PATH is needed. */
function runnerCommand(bin) {
  const real = fs.realpathSync(bin);
  let head = '';
  try {
    const fd = fs.openSync(real, 'r');
    try {
      const buf = Buffer.alloc(128);
      head = buf.toString('utf8', 0, fs.readSync(fd, buf, 0, buf.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // unreadable: run it as it is
  }
  const nodeScript = /\.[cm]?js$/.test(real) || /^#!.*\bnode\b/.test(head);
  return nodeScript ? { command: process.execPath, prefix: [real] } : { command: bin, prefix: [] };
}

/** `files` relative to `cwd`, the folder the runner runs from (projectDirOf). */
function argumentsFor(kind, files, out, jestExtensions, cwd) {
  if (kind === 'vitest') {
    // --globals: files written for jest's globals (describe/it/expect without imports) run too.
    return ['run', '--reporter=json', `--outputFile=${out}`, '--root', cwd, '--no-cache', '--globals', ...files];
  }
  const absolute = files.map((f) => path.resolve(f));
  const cache = [
    '--ci',
    '--no-cache',
    `--cacheDirectory=${path.join(cwd, '.afterburner-jest-cache')}`,
    '--watchman=false',
  ];
  if (projectJestConfig(cwd)) {
    // The project's own config (transform, moduleNameMapper, setupFiles, testEnvironment, roots,
    // testRegex…) as `npx jest` at its root reads it; only the files to run are named. (Its own
    // extension order, unless its .ts tests sit beside emitted JavaScript: see typeScriptFirst.)
    return [
      '--json',
      `--outputFile=${out}`,
      ...cache,
      ...(jestExtensions ? ['--moduleFileExtensions', ...jestExtensions] : []),
      '--runTestsByPath',
      ...files,
    ];
  }
  // jest stops when it finds no config file nor package.json up from the work dir: then an empty
  // inline config. --cacheDirectory: --no-cache still writes the haste map, so into the work dir.
  const config = hasJestConfig(cwd) ? [] : ['--config', JSON.stringify({ rootDir: cwd })];
  // --testMatch: jest's default pattern leaves out .mjs/.cjs files.
  return [
    ...config,
    '--json',
    `--outputFile=${out}`,
    '--rootDir',
    cwd,
    ...cache,
    '--testMatch',
    ...absolute,
    '--runTestsByPath',
    ...files,
  ];
}

/** The names jest looks for its config under (jest-config's JEST_CONFIG_EXT_ORDER). */
const JEST_CONFIG_FILES = ['js', 'ts', 'mjs', 'cjs', 'json'].map((ext) => `jest.config.${ext}`);

function hasJestConfigFile(dir) {
  return JEST_CONFIG_FILES.some((name) => fs.existsSync(path.join(dir, name)));
}

/** A jest config the project wrote: jest.config.* in `dir`, or a "jest" key in its package.json. */
function projectJestConfig(dir) {
  if (hasJestConfigFile(dir)) return true;
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).jest !== undefined;
  } catch {
    return false;
  }
}

/** Whether jest finds a config of its own from `dir`: a jest.config.* or a package.json (up the tree). */
function hasJestConfig(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    if (hasJestConfigFile(d) || fs.existsSync(path.join(d, 'package.json'))) return true;
    if (path.dirname(d) === d) return false;
  }
}

function environmentFor(kind, files) {
  const env = { ...process.env, CI: '1', FORCE_COLOR: '0', NO_COLOR: '1' };
  if (kind === 'jest' && files.some((f) => moduleFormat(path.resolve(f)) === 'esm')) {
    // jest runs ES modules only with Node's VM modules.
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim();
  }
  return env;
}

/** A runner's failure text as the harness reports failures: the error lines, then "(at file:line)". */
export function runnerFailureMessage(texts) {
  const parts = [];
  for (const raw of texts) {
    const text = String(raw).replace(/\u001b\[[0-9;]*m/g, '');
    const lines = text.split('\n');
    const firstFrame = lines.findIndex((l) => /^\s+at /.test(l));
    let head = (firstFrame === -1 ? lines : lines.slice(0, firstFrame)).join('\n').trim();
    const where = locationInStack(text);
    if (where) head += ` (at ${where})`;
    if (head) parts.push(head);
  }
  const message = parts.join('\n') || 'failed';
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}

export function resultsOf(parsed) {
  const results = [];
  for (const file of parsed.testResults ?? []) {
    // `--json` names them assertionResults; runCLI's own results (jestInProcess.mjs) testResults.
    const assertions = file.assertionResults ?? file.testResults ?? [];
    for (const a of assertions) {
      const name = a.title !== undefined ? [...(a.ancestorTitles ?? []), a.title].join(' > ') : String(a.fullName);
      if (a.status === 'passed') results.push({ name, status: 'passed' });
      else if (a.status === 'failed')
        results.push({ name, status: 'failed', message: runnerFailureMessage(a.failureMessages ?? []) });
      else results.push({ name, status: 'skipped' });
    }
    const failedToRun = file.status === 'failed' || file.testExecError !== undefined;
    if (assertions.length === 0 && failedToRun) {
      const name = file.name ?? file.testFilePath;
      const where = name ? path.relative(process.cwd(), name) : 'test file';
      results.push({
        name: `${where} (loading)`,
        status: 'failed',
        message: runnerFailureMessage([
          file.message ?? file.failureMessage ?? file.testExecError?.message ?? 'failed to run',
        ]),
      });
    }
  }
  return results;
}

const PROJECT_FILES = [
  'package.json',
  ...JEST_CONFIG_FILES,
  ...['js', 'ts', 'mjs', 'cjs', 'mts', 'cts', 'json'].flatMap((ext) => [`vitest.config.${ext}`, `vite.config.${ext}`]),
];

/**
 * The folder a runner runs a test file from, as `npx jest` / `npx vitest` in its package would:
 * the nearest folder above it with a package.json or a jest/vitest/vite config, not above the work
 * dir (the project root). In a workspace of packages, a member's tests run with the member's config.
 */
export function projectDirOf(file) {
  const top = process.cwd();
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    const relative = path.relative(top, dir);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return top;
    if (PROJECT_FILES.some((name) => fs.existsSync(path.join(dir, name)))) return dir;
    if (relative === '') return top;
  }
}

/**
 * Runs `files` (work-dir-relative, of one package) with the workspace's jest or vitest, from their
 * package's folder; returns per-test results. `jestExtensions`: jest's `moduleFileExtensions` to
 * run with instead of the config's own.
 */
export function runExternal(kind, files, workspaceRoot, jestExtensions) {
  const { bin, looked } = findRunnerBinary(kind, workspaceRoot);
  if (!bin) {
    const hidden = workspaceRoots(workspaceRoot).filter((root) => !isDirectory(root));
    const why =
      hidden.length > 0
        ? ` (the workspace folder ${hidden.join(', ')} cannot be seen from here: a sandbox shows it only when its user may read it)`
        : '';
    throw new HarnessError(
      `the tests use ${kind}, but ${kind} is not installed: no node_modules/.bin/${kind} in ${looked.join(', ')}${why}. Run \`npm install --save-dev ${kind}\` in the workspace, or write the tests with node:test.`,
    );
  }
  const misnamed = files.find((f) => !TEST_FILE_NAME.test(f));
  if (misnamed) {
    throw new HarnessError(
      `${misnamed} uses ${kind}, which only runs files named *.test.* or *.spec.*: rename it (e.g. ${misnamed.replace(/(\.[cm]?[jt]sx?)$/, '.test$1')}).`,
    );
  }
  linkWorkspaceModules(workspaceRoot);
  const out = path.join(process.cwd(), `.afterburner-${kind}-${process.pid}.json`);
  const { command, prefix } = runnerCommand(bin);
  const cwd = projectDirOf(files[0] ?? '.');
  const fromCwd = files.map((f) => path.relative(cwd, path.resolve(f)));
  const proc = spawnSync(command, [...prefix, ...argumentsFor(kind, fromCwd, out, jestExtensions, cwd)], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: environmentFor(kind, files),
  });
  keepOutput(`${proc.stdout ?? ''}${proc.stderr ?? ''}`);
  let parsed;
  try {
    parsed = JSON.parse(fs.readFileSync(out, 'utf8'));
  } catch {
    // A runner whose Node is too old fails in its own words (a missing API deep in a dependency):
    // its engines field says what it needs, and where to run it instead.
    const tooOld = nodeMismatch(fs.realpathSync(bin));
    const advice = tooOld
      ? ` ${tooOld}: run it in the local sandbox, or in an image with that Node (the setting afterburner.sandbox.image, or the project's dev container image).`
      : '';
    throw new HarnessError(
      `${kind} did not produce results (exit ${proc.status}, run by node ${process.version}).${advice} ${String(
        proc.stderr || proc.stdout || proc.error?.message || '',
      )
        .trim()
        .slice(-1500)}`,
    );
  } finally {
    fs.rmSync(out, { force: true });
  }
  const results = resultsOf(parsed);
  if (results.length === 0) {
    throw new HarnessError(
      `${kind} ran no test in ${files.join(', ')} (exit ${proc.status}): ${String(proc.stderr || proc.stdout || '')
        .trim()
        .slice(-1000)}`,
    );
  }
  return results;
}
