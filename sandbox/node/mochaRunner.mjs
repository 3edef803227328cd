// mocha test files run by the project's own mocha, in the harness process, with the project's
// options (.mocharc.* or package.json "mocha": ui, require, timeout, …) as `npx mocha` at the
// project root reads them. mocha loads the files through Node's module system, so the loader hooks
// (and the target's instrumented binding) are in force and the tests call the recorded function.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { HarnessError } from './harnessError.mjs';
import { testEnded, testStarted } from './currentTest.mjs';

const RC_FILES = [
  '.mocharc.js',
  '.mocharc.cjs',
  '.mocharc.mjs',
  '.mocharc.json',
  '.mocharc.jsonc',
  '.mocharc.yaml',
  '.mocharc.yml',
];

function projectRequire(dir) {
  return createRequire(path.join(dir, 'package.json'));
}

/** Where the project's mocha is, when the project uses mocha (an rc file, a "mocha" key or a script). */
export function findProjectMocha(dir = process.cwd()) {
  let uses = RC_FILES.some((f) => fs.existsSync(path.join(dir, f)));
  if (!uses) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      uses =
        pkg.mocha !== undefined ||
        Object.values(pkg.scripts ?? {}).some((script) => /(^|[\s/])mocha(\s|$)/.test(String(script)));
    } catch {
      uses = false;
    }
  }
  if (!uses) return undefined;
  try {
    return projectRequire(dir).resolve('mocha');
  } catch {
    return undefined;
  }
}

/** The project's mocha options, as its command line would read them with no arguments. */
function projectOptions(require) {
  try {
    const { loadOptions } = require('mocha/lib/cli/options');
    return loadOptions([]);
  } catch (e) {
    throw new HarnessError(`mocha's options (.mocharc / package.json "mocha") cannot be read: ${e?.message ?? e}`);
  }
}

/**
 * Each set of files' mocha, kept to run again: mocha loads test files through import(), whose cache
 * a second instance could not get past, so a run timed in place (inPlace.mjs) reruns the same
 * instance, its suites reset by mocha itself.
 */
const loaded = new Map();

/** Runs `files` (absolute) with the project's mocha; per-test results as the other runners give them. */
export async function runMocha(files, dir = process.cwd()) {
  const key = JSON.stringify([dir, files]);
  const known = loaded.get(key);
  if (known) return runOnce(known);
  const { mocha, results } = await loadMocha(files, dir);
  loaded.set(key, { mocha, results });
  return runOnce({ mocha, results });
}

async function runOnce({ mocha, results }) {
  results.length = 0;
  await new Promise((resolve) => mocha.run(resolve));
  return results.splice(0);
}

async function loadMocha(files, dir) {
  const require = projectRequire(dir);
  const Mocha = require('mocha');
  const options = projectOptions(require);
  let rootHooks;
  if (options.require && options.require.length > 0) {
    const { handleRequires } = require('mocha/lib/cli/run-helpers');
    const plugins = await handleRequires([].concat(options.require));
    rootHooks = plugins?.rootHooks;
  }
  const results = [];
  function Collector(runner) {
    runner.on('test', (t) => testStarted(t));
    runner.on('test end', (t) => testEnded(t));
    runner.on('pass', (t) => results.push({ name: t.fullTitle(), status: 'passed' }));
    runner.on('fail', (t, error) => results.push({ name: t.fullTitle(), status: 'failed', error }));
    runner.on('pending', (t) => results.push({ name: t.fullTitle(), status: 'skipped' }));
  }
  const mocha = new Mocha({
    ...options,
    ...(rootHooks ? { rootHooks } : {}),
    // One process (the recorder is in it), no watching, no exit at the end, our reporter.
    parallel: false,
    watch: false,
    reporter: Collector,
    color: false,
  });
  // Kept for a rerun (mocha 8+; an older one runs once).
  mocha.cleanReferencesAfterRun?.(false);
  for (const file of files) mocha.addFile(file);
  await mocha.loadFilesAsync();
  return { mocha, results };
}
