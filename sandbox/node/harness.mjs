// Afterburner's JavaScript harness. Run as `node harness.mjs job.json` with the work dir as cwd
// (without --expose-gc the harness exposes gc itself); prints
// `@@AFTERBURNER_REPORT@@{HarnessReport JSON}` as its last stdout line and exits 0 whenever it
// produced a report. Plain Node (18.19+), no dependencies.
//   profile: run the tests with the target wrapped (outermost calls recorded), replay to measure;
//   check:   run the tests on the candidate, replay a recording and compare, then measure;
//            with `mode.reference.modulePath` (the best version so far, a second file in the work
//            dir) the candidate is measured side by side with it: the reference is imported from
//            its own file after the check (a module of its own; recorded instances are rebuilt
//            from its classes and its target function is called directly), both are warmed up
//            together until their round times settle, then timed in ABBA-ordered pairs with one
//            loop count and the same gc()/reseed/fresh-copy rules, and memory is traced for each
//            with the same procedure. The report adds `referenceMeasurement`, whose
//            runtimeMs.values[i] pairs with measurement.runtimeMs.values[i] (see replayPhase.mjs
//            and measurePairedRuntime in measure.mjs). A reference that cannot be loaded leaves
//            the candidate measured alone, with a note;
//   test:    run the tests only.
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import Module, { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { captureUserOutput, sendReportAndExit } from './reportChannel.mjs';
import { nativeAddonNote } from './nativeAddons.mjs';
import { installSeededRandom, reseed } from './seededRandom.mjs';
import { HarnessError, MemoryLimitError, isMemoryExhaustion } from './harnessError.mjs';
import { linkWorkspaceModules } from './externalRunner.mjs';
import { completeProjectView, mirroredRoot } from './projectView.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const notes = [];
/** Set once the target is wrapped: how many calls the tests made to it. */
let callsMade;

function fail(kind, message) {
  sendReportAndExit({ kind, message });
}

process.on('uncaughtException', (e) => {
  if (isMemoryExhaustion(e)) fail('memory_limit', `${e.name}: ${e.message}`);
  fail('error', `uncaught exception outside a test: ${e?.stack ?? e}`);
});

// Nothing left to run while the report is still owed: the tests wait on something that never
// settles (node would exit 0 with no word of why).
process.on('beforeExit', () =>
  fail(
    'error',
    'the tests never finished: they wait for something that never settles (a promise nothing resolves, or a mock such as vi.mock or vi.hoisted that the in-process run of the tests does not provide), and nothing was left to run. Next step: run the test file alone with its runner; if it passes there, profile with another test file that calls the function.',
  ),
);

/**
 * The sandboxes start node without --expose-gc; the flag can still be set at run time, and a
 * fresh context then gets a `gc` function (the measurement runs gc() before every sample).
 */
function exposeGc() {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    if (typeof gc === 'function') globalThis.gc = gc;
  } catch {
    // left to the note below
  }
}

async function main() {
  captureUserOutput();
  // While the tests run, stack traces name the lines the user wrote (TypeScript arrives with inline
  // source maps); maps are read as modules load, so this comes first. Off again for measuring.
  process.setSourceMapsEnabled?.(true);
  const jobFile = process.argv[2] ?? 'job.json';
  let job;
  try {
    job = JSON.parse(fs.readFileSync(jobFile, 'utf8'));
  } catch (e) {
    throw new HarnessError(`cannot read the job file ${jobFile}: ${e.message}`);
  }
  installSeededRandom(job.seed ?? 0);
  const workspaceRoot = job.workspaceRoot ?? process.env.AFTERBURNER_WORKSPACE;
  // The project's data files beside the copied sources, before the tests look for them.
  const mirrored = job.projectRoot ? undefined : mirroredRoot(job.workspaceRoot, job.modulePath);
  const viewNote = mirrored ? completeProjectView(mirrored) : undefined;
  if (viewNote) notes.push(viewNote);
  // Before the module loads: it may import the workspace's packages too.
  linkWorkspaceModules(workspaceRoot);
  if (typeof globalThis.gc !== 'function') exposeGc();
  if (typeof globalThis.gc !== 'function') {
    notes.push(
      'globalThis.gc is missing (node was started without --expose-gc): samples are not preceded by a garbage collection',
    );
  }

  // Stand-ins for the test runner modules, for `import` (loader hook) and `require`.
  globalThis.__afterburner = { realNodeTest: require('node:test') };
  const shimUrl = pathToFileURL(path.join(here, 'nodeTestShim.mjs')).href;
  const runnerShimUrl = pathToFileURL(path.join(here, 'runnerShim.mjs')).href;
  const redirects = { 'node:test': shimUrl, vitest: runnerShimUrl, '@jest/globals': runnerShimUrl };
  const nodeTestShim = await import(shimUrl);
  const runnerShim = await import(runnerShimUrl);
  const cjsRedirects = {
    'node:test': nodeTestShim.default,
    test: nodeTestShim.default,
    vitest: runnerShim,
    '@jest/globals': runnerShim,
  };
  // require() of a tsconfig `paths` alias (the ES module side is in loaderHooks.mjs).
  const { aliasedPath } = await import('./pathAliases.mjs');
  const originalResolve = Module._resolveFilename;
  Module._resolveFilename = function resolveFilename(request, parent, ...rest) {
    try {
      return originalResolve.call(this, request, parent, ...rest);
    } catch (error) {
      if (error?.code !== 'MODULE_NOT_FOUND') throw error;
      // TypeScript is emitted as .cjs beside its source, which require() does not complete by itself.
      for (const candidate of aliasedPath(request).flatMap((p) => [p, `${p}.cjs`, `${p}/index.cjs`])) {
        try {
          return originalResolve.call(this, candidate, parent, ...rest);
        } catch {
          // the next one
        }
      }
      throw error;
    }
  };
  const originalLoad = Module._load;
  Module._load = function load(request, parent, isMain) {
    if (Object.prototype.hasOwnProperty.call(cjsRedirects, request)) return cjsRedirects[request];
    return originalLoad.call(this, request, parent, isMain);
  };
  if (typeof Module.register !== 'function') {
    throw new HarnessError(
      `Node ${process.versions.node} has no module.register; the harness needs Node 18.19 or newer`,
    );
  }

  const { runTests, asHarnessError } = await import('./testRunners.mjs');
  const { loadTarget, instrumentationPlans, instrumentCommonJs } = await import('./targetModule.mjs');
  const { createRecorder } = await import('./recorder.mjs');
  const mode = job.mode?.kind ?? 'test';
  const recording = mode === 'profile';
  const { readRecording, runReplayPhase } = await import('./replayPhase.mjs');
  const recorded = mode === 'check' ? readRecording(job) : undefined;
  // A check run of a recording whose calls were partly timed in place times the candidate's calls
  // in place too (inPlace.mjs): its wrapper is installed, idle until then.
  const timesInPlace = recorded?.inPlace !== undefined;
  let recorder = createRecorder({ withThis: false });
  let target;
  // The hooks are in place before the target loads, so the module is loaded once, through them,
  // also when a test reaches it first through an import cycle.
  const plans =
    mode === 'test' || mode === 'hotspots'
      ? []
      : instrumentationPlans([job.modulePath, job.mode?.reference?.modulePath].filter(Boolean), job.target);
  instrumentCommonJs(plans);
  Module.register(pathToFileURL(path.join(here, 'loaderHooks.mjs')).href, {
    data: {
      redirects,
      instrument: plans.filter((p) => !p.registryOnly).map(({ url, name, key }) => ({ url, name, key })),
    },
  });
  if (mode !== 'test' && mode !== 'hotspots') {
    try {
      target = await loadTarget({
        modulePath: job.modulePath,
        target: job.target,
        intercept: recording || timesInPlace,
        wrapFor: (kind) => {
          recorder = createRecorder({ withThis: kind === 'method' });
          return recorder.wrap;
        },
      });
    } catch (e) {
      throw (
        asHarnessError(e, job.modulePath) ??
        (e instanceof HarnessError || e instanceof MemoryLimitError
          ? e
          : new HarnessError(`${job.modulePath} failed to load: ${e?.stack ?? e}`))
      );
    }
  }
  if (target?.hook) {
    // A second instance of the hooks (its own URL) serves the wrapper module of the fallback.
    Module.register(`${pathToFileURL(path.join(here, 'loaderHooks.mjs')).href}?wrapper`, {
      data: { wrapTarget: target.hook },
    });
  }

  if (recording && target) callsMade = () => recorder.state.made;
  recorder.state.enabled = recording;
  reseed();
  if (mode === 'hotspots') {
    // In-process runs of jest/vitest files too (record: true), so the profiler sees their time.
    const { profileTests } = await import('./hotspots.mjs');
    return profileTests(job, () => runTests({ testPaths: job.testPaths ?? [], workspaceRoot, record: true, plans }));
  }
  const tests = await runTests({ testPaths: job.testPaths ?? [], workspaceRoot, record: recording, plans });
  recorder.state.enabled = false;
  target?.unwrap?.();
  process.setSourceMapsEnabled?.(false);
  if (tests.failed > 0) {
    return {
      kind: 'failed',
      tests: { passed: tests.passed, failed: tests.failed },
      runner: tests.runner,
      failures: tests.failures,
    };
  }
  const passedTests = { passed: tests.passed, failed: 0 };
  if (mode === 'test') return { kind: 'passed', tests: passedTests, runner: tests.runner };

  // The same tests once more, for the calls the recording cannot stand for to be timed in place.
  const rerun = (again) => runTests({ testPaths: job.testPaths ?? [], workspaceRoot, record: true, plans, again });
  return runReplayPhase({ job, mode, target, recorder, tests, passedTests, notes, rerun, recorded });
}

/** What the host shows beside the verdict: the runtime that ran, the calls made, the notes. */
function withContext(report) {
  if (report.kind !== 'passed' && report.kind !== 'failed') return report;
  const addon = nativeAddonNote((report.failures ?? []).map((f) => f.message));
  if (addon !== undefined) notes.push(addon);
  const told = { ...report, interpreter: `${process.execPath} (node ${process.version})` };
  if (callsMade !== undefined) told.callsMade = callsMade();
  if (notes.length > 0) told.notes = notes;
  return told;
}

main()
  .then((report) => sendReportAndExit(withContext(report)))
  .catch((e) => {
    if (e instanceof MemoryLimitError) fail('memory_limit', e.message);
    if (isMemoryExhaustion(e)) fail('memory_limit', `${e.name}: ${e.message}`);
    // An addon that cannot load: its first line and why, not the loader's stack.
    const addon = nativeAddonNote([e?.message]);
    if (addon !== undefined) fail('error', `${String(e.message).split('\n')[0]}\n${addon}`);
    if (e instanceof HarnessError) fail('error', e.message);
    fail('error', `harness failure: ${e?.stack ?? e}`);
  });
