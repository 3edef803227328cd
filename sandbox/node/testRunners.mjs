// Chooses how to run each test file (by looking at its imports) and runs it:
// - node:test files and mocha-style describe/it files without `expect`: in-process, through the
//   node:test shim, so the tests call the wrapped target;
// - plain assert scripts: imported; passing = completing, else one failure with the error;
// - jest / vitest files: the verdict comes from the workspace's own binary (node_modules/.bin);
//   when calls must be recorded, the files are also run in-process with runnerShim.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { drainResults } from './nodeTestShim.mjs';
import { installGlobals } from './runnerShim.mjs';
import { HarnessError, isMemoryExhaustion, MemoryLimitError } from './harnessError.mjs';
import { keepOutput } from './reportChannel.mjs';

const MAX_MESSAGE = 2000;

export function detectRunner(source) {
  const imports = (name) => new RegExp(`(?:from\\s*|import\\s*\\(\\s*|require\\s*\\(\\s*|import\\s+)['"]${name}['"]`).test(source);
  if (imports('vitest')) return 'vitest';
  if (imports('@jest/globals')) return 'jest';
  if (imports('node:test') || imports('test')) return 'node:test';
  if (/^\s*(?:describe|it|test)(?:\.\w+)?\s*\(/m.test(source)) return /\bexpect\s*\(/.test(source) ? 'jest-globals' : 'globals';
  return 'script';
}

function relative(file) {
  return path.relative(process.cwd(), file) || file;
}

/** Where in the work dir an error came from, e.g. "tests/a.test.mjs:12". */
export function userLocation(error) {
  const stack = String(error?.stack ?? '');
  const cwd = process.cwd();
  for (const m of stack.matchAll(/(file:\/\/[^\s):]+|\/[^\s():]+):(\d+)(?::(\d+))?/g)) {
    let file = m[1];
    if (file.startsWith('file://')) file = decodeURIComponent(new URL(file).pathname);
    if (!file.startsWith(cwd + path.sep)) continue;
    return `${relative(file)}:${m[2]}`;
  }
  return undefined;
}

export function describeFailure(error) {
  if (isMemoryExhaustion(error)) throw new MemoryLimitError(`${error.name}: ${error.message}`);
  let text;
  if (error instanceof Error) {
    text = `${error.name === "Error" ? "" : `${error.name}: `}${error.message}`.trimEnd();
    if (error.code === 'ERR_ASSERTION' && error.generatedMessage === false && 'expected' in error) {
      text += `\nexpected: ${inspect(error.expected, { depth: 3 })}\nactual: ${inspect(error.actual, { depth: 3 })}`;
    }
    const where = userLocation(error);
    if (where) text += ` (at ${where})`;
  } else {
    text = `thrown: ${inspect(error)}`;
  }
  text = text.trim();
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

/** The work dir's JavaScript files, the given one first (where a syntax error is most likely). */
function scriptFiles(first) {
  const found = [path.resolve(first)];
  const walk = (dir, depth) => {
    if (depth > 4 || found.length > 60) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, depth + 1);
      else if (/\.(m|c)?js$/.test(entry.name) && !found.includes(full)) found.push(full);
    }
  };
  walk(process.cwd(), 0);
  return found;
}

/**
 * Where a SyntaxError is. CommonJS puts "file:line" atop the stack; for ES modules Node keeps the
 * location out of the error object, so `node --check` is asked, file by file (error path only).
 */
function syntaxErrorLocation(error, file) {
  const m = String(error.stack ?? '').match(/^(file:\/\/\S+?|\/\S+?):(\d+)\s*$/m);
  if (m) {
    const f = m[1].startsWith('file://') ? decodeURIComponent(new URL(m[1]).pathname) : m[1];
    return `${relative(f)}:${m[2]}`;
  }
  for (const candidate of scriptFiles(file)) {
    const check = spawnSync(process.execPath, ['--check', candidate], { encoding: 'utf8', timeout: 10_000 });
    if (check.status === 0) continue;
    const where = String(check.stderr).match(/^(file:\/\/\S+?|\/\S+?):(\d+)\s*$/m);
    if (where) {
      const f = where[1].startsWith('file://') ? decodeURIComponent(new URL(where[1]).pathname) : where[1];
      return `${relative(f)}:${where[2]}`;
    }
  }
  return userLocation(error) ?? relative(file);
}

/** SyntaxErrors in user files stop the run with a pointer to the line. */
function syntaxErrorToHarnessError(error, file) {
  const where = syntaxErrorLocation(error, file);
  return new HarnessError(`SyntaxError in ${where}: ${error.message}. Fix the syntax (\`node --check ${where.split(':')[0]}\` shows it) and run again.`);
}

export function asHarnessError(error, file) {
  if (error instanceof SyntaxError) return syntaxErrorToHarnessError(error, file);
  return undefined;
}

async function importFile(file) {
  return import(pathToFileURL(path.resolve(file)).href);
}

async function runInProcess(file, kind) {
  const results = [];
  let ns;
  if (kind === 'globals' || kind === 'jest-globals' || kind === 'jest' || kind === 'vitest') installGlobals();
  try {
    ns = await importFile(file);
  } catch (e) {
    const asError = asHarnessError(e, file);
    if (asError) throw asError;
    if (isMemoryExhaustion(e)) throw new MemoryLimitError(`${e.name}: ${e.message}`);
    results.push({ name: kind === 'script' ? relative(file) : `${relative(file)} (loading)`, status: 'failed', error: e });
  }
  const ran = await drainResults();
  results.push(...ran);
  if (kind === 'script' && results.length === 0) results.push({ name: relative(file), status: 'passed' });
  return { results, ns };
}

function findRunnerBinary(kind, workspaceRoot) {
  const roots = [];
  if (workspaceRoot) roots.push(workspaceRoot);
  if (process.env.AFTERBURNER_WORKSPACE) roots.push(process.env.AFTERBURNER_WORKSPACE);
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

function runExternal(kind, files, workspaceRoot) {
  const { bin, root, looked } = findRunnerBinary(kind, workspaceRoot);
  if (!bin) {
    throw new HarnessError(`the tests use ${kind}, but ${kind} is not installed: no node_modules/.bin/${kind} in ${looked.join(', ')}. Run \`npm install --save-dev ${kind}\` in the workspace, or write the tests with node:test.`);
  }
  // Test files import the runner by name: let them resolve it from the workspace.
  const link = path.join(process.cwd(), 'node_modules');
  if (!fs.existsSync(link) && root !== process.cwd()) {
    try { fs.symlinkSync(path.join(root, 'node_modules'), link, 'dir'); } catch { /* read-only work dir: resolution may still work */ }
  }
  const out = path.join(process.cwd(), `.afterburner-${kind}-${process.pid}.json`);
  const args = kind === 'vitest'
    ? ['run', '--reporter=json', `--outputFile=${out}`, '--root', process.cwd(), ...files]
    : ['--json', `--outputFile=${out}`, '--rootDir', process.cwd(), '--ci', '--no-cache', '--runTestsByPath', ...files];
  const proc = spawnSync(bin, args, { cwd: process.cwd(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CI: '1', FORCE_COLOR: '0' } });
  keepOutput(`${proc.stdout ?? ''}${proc.stderr ?? ''}`);
  let parsed;
  try {
    parsed = JSON.parse(fs.readFileSync(out, 'utf8'));
  } catch {
    throw new HarnessError(`${kind} did not produce results (exit ${proc.status}): ${String(proc.stderr || proc.stdout || proc.error?.message || '').trim().slice(-1500)}`);
  } finally {
    fs.rmSync(out, { force: true });
  }
  const results = [];
  for (const file of parsed.testResults ?? []) {
    for (const a of file.assertionResults ?? []) {
      const name = a.fullName ?? [...(a.ancestorTitles ?? []), a.title].join(' > ');
      if (a.status === 'passed') results.push({ name, status: 'passed' });
      else if (a.status === 'failed') results.push({ name, status: 'failed', message: (a.failureMessages ?? []).join('\n').replace(/\u001b\[[0-9;]*m/g, '') });
    }
    if ((file.assertionResults ?? []).length === 0 && file.status === 'failed') {
      results.push({ name: relative(file.name ?? 'test file'), status: 'failed', message: String(file.message ?? 'failed to run') });
    }
  }
  return results;
}

/**
 * Runs all test files. `record` = the calls must go through this process (profile mode), so
 * jest/vitest files are additionally run in-process after the real runner's verdict.
 */
export async function runTests({ testPaths, workspaceRoot, record }) {
  const runners = new Set();
  const results = [];
  const namespaces = [];
  for (const file of testPaths) {
    const abs = path.resolve(file);
    if (!fs.existsSync(abs)) throw new HarnessError(`test file ${file} does not exist in the work dir`);
    let kind = detectRunner(fs.readFileSync(abs, 'utf8'));
    if (kind === 'jest-globals') {
      kind = findRunnerBinary('vitest', workspaceRoot).bin && !findRunnerBinary('jest', workspaceRoot).bin ? 'vitest' : 'jest';
    }
    runners.add(kind === 'globals' ? 'node:test' : kind === 'script' ? 'assert-script' : kind);
    if (kind === 'jest' || kind === 'vitest') {
      const verdict = runExternal(kind, [file], workspaceRoot);
      results.push(...verdict);
      if (record && verdict.every((r) => r.status !== 'failed')) {
        const { ns } = await runInProcess(abs, kind); // recording only; the verdict stands
        namespaces.push({ file: abs, ns });
      }
      continue;
    }
    const { results: ran, ns } = await runInProcess(abs, kind);
    results.push(...ran);
    namespaces.push({ file: abs, ns });
  }
  const failures = [];
  let passed = 0;
  for (const r of results) {
    if (r.status === 'passed') passed++;
    else if (r.status === 'failed') failures.push({ test: r.name, message: r.message ?? describeFailure(r.error) });
  }
  return { runner: [...runners].join('+'), passed, failed: failures.length, failures, namespaces };
}
