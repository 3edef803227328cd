// Chooses how to run each test file (by looking at its imports) and runs it:
// - node:test files and mocha-style describe/it files without `expect`: in-process, through the
//   node:test shim, so the tests call the wrapped target;
// - plain assert scripts: imported; passing = completing, else one failure with the error;
// - jest files, when calls must be recorded and the files are CommonJS or compiled to it (babel-jest,
//   ts-jest): the project's jest runs them in this process, with its config (jestInProcess.mjs);
// - other jest / vitest files: the verdict comes from the workspace's own binary (externalRunner.mjs);
//   when calls must be recorded, the files are also run in-process with runnerShim.mjs;
// - in a project that uses mocha (.mocharc.*, package.json "mocha" or a mocha script), describe/it
//   files and files importing 'mocha' run with the project's mocha, in-process (mochaRunner.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { drainResults } from './nodeTestShim.mjs';
import { installGlobals } from './runnerShim.mjs';
import { HarnessError, isMemoryExhaustion, MemoryLimitError } from './harnessError.mjs';
import { findRunnerBinary, projectDirOf, resultsOf, runExternal } from './externalRunner.mjs';
import { canRunJestInProcess, jestExtensionsFor, runJestInProcess } from './jestInProcess.mjs';
import { declaredFormat, emittedBeside } from './targetModule.mjs';
import { findProjectMocha, runMocha } from './mochaRunner.mjs';
import { locationInStack } from './stackLocation.mjs';

const MAX_MESSAGE = 2000;

export function detectRunner(source) {
  const imports = (name) =>
    new RegExp(`(?:from\\s*|import\\s*\\(\\s*|require\\s*\\(\\s*|import\\s+)['"]${name}['"]`).test(source);
  if (imports('vitest')) return 'vitest';
  if (imports('mocha')) return 'mocha';
  if (imports('@jest/globals')) return 'jest';
  if (imports('node:test') || imports('test')) return 'node:test';
  if (/^\s*(?:describe|it|test)(?:\.\w+)?\s*\(/m.test(source))
    return /\bexpect\s*\(/.test(source) ? 'jest-globals' : 'globals';
  return 'script';
}

function relative(file) {
  return path.relative(process.cwd(), file) || file;
}

/** Where in the work dir an error came from, e.g. "tests/a.test.mjs:12". */
export function userLocation(error) {
  return locationInStack(error?.stack);
}

export function describeFailure(error) {
  if (isMemoryExhaustion(error)) throw new MemoryLimitError(`${error.name}: ${error.message}`);
  let text;
  if (error instanceof Error) {
    text = `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`.trimEnd();
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
  return new HarnessError(
    `SyntaxError in ${where}: ${error.message}. Fix the syntax (\`node --check ${where.split(':')[0]}\` shows it) and run again.`,
  );
}

export function asHarnessError(error, file) {
  if (error instanceof SyntaxError) return syntaxErrorToHarnessError(error, file);
  return undefined;
}

/**
 * Imports a test file, which declares and runs its tests as it loads. Run `again` (1, 2, …) it is
 * loaded anew under a URL of its own, and a CommonJS file out of require's cache, so its tests run
 * once more; the modules it imports stay loaded (the wrapped target among them).
 */
async function importFile(file, again = 0) {
  const abs = path.resolve(file);
  if (again === 0) return import(pathToFileURL(abs).href);
  delete createRequire(abs).cache[abs];
  return import(`${pathToFileURL(abs).href}?afterburner-again=${again}`);
}

async function runInProcess(file, kind, again = 0) {
  const results = [];
  let ns;
  if (kind === 'globals' || kind === 'jest-globals' || kind === 'jest' || kind === 'vitest') installGlobals();
  try {
    ns = await importFile(file, again);
  } catch (e) {
    const asError = asHarnessError(e, file);
    if (asError) throw asError;
    if (isMemoryExhaustion(e)) throw new MemoryLimitError(`${e.name}: ${e.message}`);
    results.push({
      name: kind === 'script' ? relative(file) : `${relative(file)} (loading)`,
      status: 'failed',
      error: e,
    });
  }
  const ran = await drainResults();
  results.push(...ran);
  if (kind === 'script' && results.length === 0) results.push({ name: relative(file), status: 'passed' });
  return { results, ns };
}

/**
 * How jest loads a test file: .ts/.tsx as CommonJS whatever package.json says (jest treats them as
 * ES modules only when its config lists them in `extensionsToTreatAsEsm`), the rest as Node would.
 */
function jestFormat(file) {
  return /\.tsx?$/.test(file) ? 'cjs' : declaredFormat(file);
}

/**
 * Runs all test files. `record` = the calls must go through this process (profile mode), so
 * jest/vitest files are additionally run in-process after the real runner's verdict. `again`
 * (1, 2, …): the same tests run once more in this process, for the calls they make to be timed in
 * place (inPlace.mjs); the runner's verdict outside it is not asked again.
 */
export async function runTests({ testPaths, workspaceRoot, record, plans = [], again = 0 }) {
  const runners = new Set();
  const results = [];
  const namespaces = [];
  const mocha = findProjectMocha();
  const mochaFiles = [];
  const jestFiles = [];
  const jestInProcess = record && canRunJestInProcess();
  for (const file of testPaths) {
    const abs = path.resolve(file);
    if (!fs.existsSync(abs)) throw new HarnessError(`test file ${file} does not exist in the work dir`);
    let kind = detectRunner(fs.readFileSync(abs, 'utf8'));
    if (mocha && (kind === 'globals' || kind === 'jest-globals' || kind === 'mocha')) {
      mochaFiles.push(emittedBeside(abs));
      continue;
    }
    if (kind === 'mocha') {
      throw new HarnessError(
        `${file} imports mocha, but mocha is not installed where the project resolves packages: run \`npm install --save-dev mocha\` in the project.`,
      );
    }
    if (kind === 'jest-globals') {
      kind =
        findRunnerBinary('vitest', workspaceRoot).bin && !findRunnerBinary('jest', workspaceRoot).bin
          ? 'vitest'
          : 'jest';
    }
    runners.add(kind === 'globals' ? 'node:test' : kind === 'script' ? 'assert-script' : kind);
    if (kind === 'jest' && jestInProcess && jestFormat(abs) === 'cjs') {
      jestFiles.push(file);
      continue;
    }
    if ((kind === 'jest' || kind === 'vitest') && again > 0) {
      const { results: ran } = await runInProcess(emittedBeside(abs), kind, again);
      results.push(...ran);
      continue;
    }
    if (kind === 'jest' || kind === 'vitest') {
      const extensions = kind === 'jest' ? await jestExtensionsFor([file], projectDirOf(file)) : undefined;
      const verdict = runExternal(kind, [file], workspaceRoot, extensions);
      results.push(...verdict);
      if (record && verdict.every((r) => r.status !== 'failed')) {
        // recording only; the verdict stands. A TypeScript test runs here as the JavaScript the
        // host emitted beside it.
        const { ns } = await runInProcess(emittedBeside(abs), kind);
        namespaces.push({ file: abs, ns });
      }
      continue;
    }
    const { results: ran, ns } = await runInProcess(emittedBeside(abs), kind, again);
    results.push(...ran);
    namespaces.push({ file: abs, ns });
  }
  if (jestFiles.length > 0) {
    const { linkWorkspaceModules } = await import('./externalRunner.mjs');
    linkWorkspaceModules(workspaceRoot);
    // Each package's tests with its own config, from its folder (see projectDirOf).
    const byPackage = new Map();
    for (const file of jestFiles) {
      const dir = projectDirOf(file);
      byPackage.set(dir, [...(byPackage.get(dir) ?? []), file]);
    }
    for (const [dir, files] of byPackage) {
      const fromDir = files.map((f) => path.relative(dir, path.resolve(f)));
      const ran = resultsOf(await runJestInProcess(fromDir, plans, dir));
      if (ran.length === 0) {
        throw new HarnessError(
          `jest ran no test in ${files.join(', ')}: the jest config of ${relative(dir) || 'the project'} (testMatch, testRegex, roots, testPathIgnorePatterns) leaves ${files.length > 1 ? 'them' : 'it'} out.`,
        );
      }
      results.push(...ran);
    }
  }
  if (mochaFiles.length > 0) {
    runners.add('mocha');
    try {
      results.push(...(await runMocha(mochaFiles)));
    } catch (e) {
      const asError = asHarnessError(e, mochaFiles[0]);
      if (asError) throw asError;
      if (e instanceof HarnessError) throw e;
      if (isMemoryExhaustion(e)) throw new MemoryLimitError(`${e.name}: ${e.message}`);
      results.push({ name: `${mochaFiles.map(relative).join(', ')} (loading)`, status: 'failed', error: e });
    }
  }
  const failures = [];
  let passed = 0;
  for (const r of results) {
    if (r.status === 'passed') passed++;
    else if (r.status === 'failed') failures.push({ test: r.name, message: r.message ?? describeFailure(r.error) });
  }
  return { runner: [...runners].join('+'), passed, failed: failures.length, failures, namespaces };
}
