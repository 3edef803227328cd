// After the tests passed: build the recording (profile) or compare the candidate against the
// given one (check), then measure runtime, memory, hot lines and size points on the recorded inputs.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { classCopy, decode, encode, difference, preview, rebuiltClass } from './taggedJson.mjs';
import {
  makeRound,
  measureRuntime,
  measurePairedRuntime,
  measurementFrom,
  traceMemory,
  hotLines,
  longRoundNote,
} from './measure.mjs';
import { loadTarget } from './targetModule.mjs';
import { reseed } from './seededRandom.mjs';
import { HarnessError } from './harnessError.mjs';
import { IN_PLACE_BELOW, measureInPlaceOnly, pairedInPlace, timeInPlace } from './inPlace.mjs';

const MAX_DIFF_FAILURES = 5;

function describeOutcome(call) {
  if (call.error) return `${call.error.n}: ${call.error.m}`.slice(0, 200);
  return `return ${preview(call.result)}`;
}

/**
 * Runs the candidate on one recorded call and returns a mismatch message, or undefined.
 * `asCheck`: the inputs decoded as a check run's process decodes them (see `decode`).
 */
async function compareCall(target, call, asCheck = false) {
  const thisArg = target.thisFor(call.this ? decode(call.this, target.classes, asCheck) : undefined);
  const args = decode(call.args, target.classes, asCheck);
  let result;
  let error;
  let threw = false;
  reseed();
  try {
    result = target.fn.apply(thisArg, args);
    if (call.async || (result && typeof result.then === 'function')) result = await result;
  } catch (e) {
    threw = true;
    error = e;
  }
  if (call.error) {
    if (!threw)
      return `expected ${call.error.n} to be thrown (${call.error.m.slice(0, 120)}), got return ${preview(encode(result, false))}`;
    const name = error?.constructor?.name ?? typeof error;
    if (name !== call.error.n)
      return `expected ${call.error.n}: ${call.error.m.slice(0, 120)}, got ${name}: ${String(error?.message ?? error).slice(0, 120)}`;
  } else {
    if (threw)
      return `expected ${describeOutcome(call)}, got ${error?.constructor?.name ?? 'exception'}: ${String(error?.message ?? error).slice(0, 200)}`;
    const actual = encode(result, false);
    const where = difference(call.result, actual);
    if (where !== undefined)
      return `expected ${preview(call.result)}, got ${preview(actual)}${where.startsWith('(') ? '' : ` (differs at result${where})`}`;
  }
  const argsAfter = encode(args, false);
  const whereArgs = difference(call.argsAfter, argsAfter);
  if (call.argsAfter && whereArgs !== undefined) {
    const m = whereArgs.match(/^\[(\d+)\](.*)$/);
    // The rest is a path within it (".id"), or the kinds that differ at its top (" (an array, got a Set)").
    const rest = m?.[2] ?? '';
    const which = m
      ? `argument ${Number(m[1]) + 1}${rest.startsWith(' (') ? rest : rest ? ` at ${rest}` : ''}`
      : 'the arguments';
    const idx = m ? Number(m[1]) : undefined;
    const exp = idx !== undefined ? call.argsAfter.v[idx] : call.argsAfter;
    const got = idx !== undefined ? argsAfter.v[idx] : argsAfter;
    return `argument mutation differs: ${which} after the call: expected ${preview(exp)}, got ${preview(got)}`;
  }
  if (call.thisAfter) {
    const thisAfter = encode(thisArg, false);
    const whereThis = difference(call.thisAfter, thisAfter);
    if (whereThis !== undefined)
      return `object state after the call differs at this${whereThis}: expected ${preview(call.thisAfter)}, got ${preview(thisAfter)}`;
  }
  return undefined;
}

/** A function rebuilt from its source or bound again, or an instance rebuilt from a class found by name. */
const REBUILT = /"\$t":"(fs|fb|c)"/;

/**
 * The recorded calls that replay as the tests made them, in a check run's process. A function
 * among the inputs is rebuilt from its source (taggedJson.mjs) without the variables around it,
 * and an instance from a class that process must find by name; so each call holding either is
 * replayed once on the original here, decoded as that process decodes, and kept only when its
 * outcome (result or error, arguments and `this` after the call) is the recorded one. Otherwise
 * the original would fail its own comparison, and so would every candidate.
 */
async function replayableCalls(target, calls, recorder) {
  const kept = [];
  for (const call of calls) {
    const inputs = JSON.stringify([call.args, call.this ?? null]);
    if (!REBUILT.test(inputs)) {
      kept.push(call);
      continue;
    }
    let mismatch;
    try {
      mismatch = await compareCall(target, call, true);
    } catch (e) {
      mismatch = String(e?.message ?? e);
    }
    if (mismatch === undefined) kept.push(call);
    else
      recorder.drop(
        call,
        `input holds a function or an instance that does not replay the same once rebuilt (a function that reads variables around it, an instance of a class the module does not import): ${shortened(importNamed(mismatch, inputs).replace(/\s+/g, ' '), 200)}`,
      );
  }
  reseed();
  return kept;
}

/**
 * A transpiled function reaches an import as `import_common.getSpecialChars` (esbuild) or
 * `common_1.getSpecialChars` (tsc): a rebuilt one that fails on such a name is said to miss the
 * import the source wrote, `getSpecialChars`, rather than a name the user never wrote.
 */
export function importNamed(mismatch, inputs) {
  const missing = /ReferenceError: (import_[\w$]+|[\w$]+_\d+) is not defined/.exec(mismatch)?.[1];
  if (missing === undefined) return mismatch;
  const imported = new RegExp(`(?<![\\w$])${missing.replace(/\$/g, '\\$')}\\.([\\w$]+)`).exec(inputs)?.[1];
  return imported === undefined
    ? mismatch
    : mismatch.replace(
        `${missing} is not defined`,
        `${imported} is not defined (an import, \`${missing}\` once transpiled)`,
      );
}

/** `text` within `max` characters, its end kept (what the replay got comes after what was expected). */
function shortened(text, max) {
  if (text.length <= max) return text;
  const tail = Math.floor(max * 0.6);
  return `${text.slice(0, max - tail - 1)}…${text.slice(-tail)}`;
}

const INSTANCE_CLASS = /"\$t":"c","id":\d+,"n":"((?:[^"\\]|\\.)*)"/g;

/**
 * Copies of the classes of recorded instances that a check run's process would not find by name
 * (a class the test file declares, not the module or what it imports), by name.
 */
function classCopies(target, calls) {
  const names = new Set();
  for (const c of calls)
    for (const m of JSON.stringify([c.args, c.this ?? null]).matchAll(INSTANCE_CLASS))
      names.add(JSON.parse(`"${m[1]}"`));
  const copies = {};
  for (const name of names) {
    if (target.classes(name) !== undefined || Object.hasOwn(copies, name)) continue;
    const copy = classCopy(name);
    if (copy === undefined) continue;
    copies[name] = copy;
    // The class a constructor function extends goes along unless found by name.
    if (copy.b !== undefined) names.add(copy.b);
  }
  return copies;
}

/** `target` whose class lookup falls back on the recording's class copies, each rebuilt once. */
function withClassCopies(target, copies) {
  if (target === undefined || !copies || Object.keys(copies).length === 0) return target;
  const made = new Map();
  const classes = (name) => {
    const found = target.classes(name);
    if (found !== undefined || !Object.hasOwn(copies, name)) return found;
    if (!made.has(name)) made.set(name, rebuiltClass(copies[name], classes));
    return made.get(name);
  };
  return { ...target, classes };
}

function sizeGenerator(namespaces) {
  for (const { file, ns } of namespaces) {
    const fromTests = ns?.afterburner_inputs ?? ns?.default?.afterburner_inputs;
    if (typeof fromTests === 'function') return fromTests;
    for (const ext of ['.mjs', '.cjs', '.js']) {
      const side = path.join(path.dirname(file), `afterburner_inputs${ext}`);
      if (fs.existsSync(side)) return { file: side };
    }
  }
  return undefined;
}

async function loadSizeGenerator(found) {
  if (!found || typeof found === 'function') return found;
  const ns = await import(pathToFileURL(found.file).href);
  const fn = ns.afterburner_inputs ?? ns.default?.afterburner_inputs ?? ns.default;
  if (typeof fn !== 'function')
    throw new HarnessError(`${path.relative(process.cwd(), found.file)} must export afterburner_inputs(size)`);
  return fn;
}

/**
 * Fresh inputs for one replay round. Built with push, not `calls.map`: the array `map` returns
 * has another elements kind once V8 has optimised this function (in the middle of the samples)
 * than before, and the replay round, optimised for the first kind, then deoptimised inside a
 * timed sample ("wrong map"), once per side.
 */
function preparer(target, calls) {
  return () => {
    const prepared = [];
    for (const c of calls) {
      prepared.push({
        args: decode(c.args, target.classes),
        thisArg: target.thisFor(c.this ? decode(c.this, target.classes) : undefined),
      });
    }
    return prepared;
  };
}

/** The check mode's recording, as the profile run left it. */
export function readRecording(job) {
  try {
    return JSON.parse(Buffer.from(job.mode.recording.data, 'base64').toString('utf8'));
  } catch (e) {
    throw new HarnessError(`the recording cannot be read (${e.message}); profile the original again`);
  }
}

export async function runReplayPhase({
  job,
  mode,
  target: loaded,
  recorder,
  tests,
  passedTests,
  notes,
  rerun,
  recorded,
}) {
  let calls;
  let coverage;
  let classes;
  let inPlace;
  let target = loaded;
  if (mode === 'check') {
    const parsed = recorded ?? readRecording(job);
    calls = parsed.calls;
    classes = parsed.classes;
    target = withClassCopies(loaded, classes);
    const failures = [];
    let mismatches = 0;
    for (let i = 0; i < calls.length; i++) {
      const message = await compareCall(target, calls[i]);
      if (message !== undefined) {
        mismatches++;
        if (failures.length < MAX_DIFF_FAILURES) failures.push({ test: `differential check (call ${i + 1})`, message });
      }
    }
    if (mismatches > 0) {
      return { kind: 'failed', tests: { passed: tests.passed, failed: mismatches }, runner: tests.runner, failures };
    }
    if (calls.length === 0 && !(parsed.inPlace && rerun))
      throw new HarnessError('the recording holds no call to compare on; profile the original again');
  } else {
    const made = recorder.state.calls.filter((c) => 'result' in c || c.error);
    classes = classCopies(loaded, made);
    target = withClassCopies(loaded, classes);
    calls = await replayableCalls(target, made, recorder);
    notes.push(...recorder.notes());
    coverage = recorder.coverage();
    if (calls.length === 0 && (recorder.state.made === 0 || !rerun)) {
      throw new HarnessError(
        `the tests passed (${tests.passed}) but never called \`${job.target}\`${recorder.state.skipped + recorder.state.dropped ? ` with inputs that can be recorded (${recorder.notes().join('; ')})` : ''}, so there is nothing to measure. Add a test that calls it with a typical input.`,
      );
    }
    if (calls.length > 0 && coverage !== undefined && coverage < IN_PLACE_BELOW && rerun) {
      const timed = await timeInPlace({ recorder, target: loaded, rerun, budgetMs: job.measure?.budgetMs ?? 1500 });
      if (timed.note) notes.push(timed.note);
      // Every test ran again, so the runs time every call the tests make.
      else inPlace = { ...timed.figures, coverage: 1, share: round4(1 - coverage) };
    }
  }

  const anyAsync = calls.some((c) => c.async);
  const measure = job.measure ?? {};
  const budgetMs = measure.budgetMs ?? 1500;
  let measurement;
  let referenceMeasurement;
  const reference = mode === 'check' ? withClassCopies(await loadReference(job, notes), classes) : undefined;
  if (calls.length === 0) {
    // No call could be recorded: the calls timed in place are the whole measurement.
    const only = await measureInPlaceOnly({
      recorder,
      target: loaded,
      rerun,
      budgetMs,
      learned: mode === 'check' ? learnedFrom(recorded) : { coverage: 1, share: 1 },
      referenceFn: reference?.fn,
      spec: job.target,
      why: recorder.notes().join('; '),
    });
    notes.push(...only.notes);
    ({ measurement, referenceMeasurement } = only);
    inPlace = measurement.inPlace;
    if (measure.hotLines)
      notes.push('hot lines unavailable: they are read from replays of recorded calls, and none could be recorded');
  } else {
    const round = makeRound(target.fn, anyAsync, 'candidate');
    const prepare = preparer(target, calls);
    const inputBytes = calls.reduce(
      (s, c) => s + JSON.stringify(c.args).length + (c.this ? JSON.stringify(c.this).length : 0),
      0,
    );
    const options = {
      inputBytes,
      budgetMs: measure.budgetMs,
      minSampleMs: measure.minSampleMs,
      maxSamples: measure.maxSamples,
    };
    if (reference) {
      const other = { prepare: preparer(reference, calls), round: makeRound(reference.fn, anyAsync, 'reference') };
      const paired = await measurePairedRuntime({ a: { prepare, round }, b: other, ...options });
      // Memory: the same procedure for each, one after the other. The integral's round time is the
      // 10th percentile, the runtime figure that repeats across profiles (see traceMemory).
      const memory = await traceMemory({ prepare, round, notes, roundMs: paired.a.p10 });
      const referenceMemory = await traceMemory({
        prepare: other.prepare,
        round: other.round,
        notes,
        roundMs: paired.b.p10,
      });
      measurement = measurementFrom(paired.a, memory, calls.length);
      referenceMeasurement = measurementFrom(paired.b, referenceMemory, calls.length);
    } else {
      const timing = await measureRuntime({ prepare, round, ...options });
      if (timing.long) notes.push(longRoundNote(timing.stats));
      const memory = await traceMemory({ prepare, round, notes, roundMs: timing.stats.p10 });
      measurement = measurementFrom(timing.stats, memory, calls.length);
    }
    if (measure.hotLines) {
      try {
        measurement.hotLines = await hotLines({ prepare, round, moduleFile: target.abs, moduleUrl: target.url });
      } catch (e) {
        notes.push(`hot lines unavailable: ${e.message}`);
      }
    }
  }
  if (measure.sizes?.length) {
    const gen = await loadSizeGenerator(sizeGenerator(tests.namespaces));
    if (!gen) {
      notes.push('sizes were asked for, but no afterburner_inputs(size) is exported by the tests or found beside them');
    } else {
      measurement.sizes = await sizePoints({ gen, sizes: measure.sizes, target, anyAsync, measure, notes });
    }
  }
  if (mode === 'check' && recorded?.inPlace && rerun && calls.length > 0) {
    const learned = learnedFrom(recorded);
    if (referenceMeasurement) {
      const paired = await pairedInPlace({ recorder, target: loaded, rerun, referenceFn: reference.fn, budgetMs });
      if (paired.note) notes.push(paired.note);
      else {
        inPlace = { ...paired.mine, ...learned };
        referenceMeasurement.inPlace = { ...paired.theirs, ...learned };
      }
    } else {
      const timed = await timeInPlace({ recorder, target: loaded, rerun, budgetMs });
      if (timed.note) notes.push(timed.note);
      else inPlace = { ...timed.figures, ...learned };
    }
  }
  if (inPlace) measurement.inPlace = inPlace;
  const report = { kind: 'passed', tests: passedTests, runner: tests.runner, measurement };
  if (referenceMeasurement) report.referenceMeasurement = referenceMeasurement;
  if (mode === 'profile') {
    const recorded = {
      version: 1,
      target: job.target,
      calls,
      ...(Object.keys(classes).length ? { classes } : {}),
      // Check runs compare candidates in place too (see inPlace.mjs).
      ...(inPlace ? { inPlace: { coverage: inPlace.coverage, share: inPlace.share } } : {}),
    };
    const data = Buffer.from(JSON.stringify(recorded), 'utf8').toString('base64');
    report.recording = { language: job.language ?? 'javascript', calls: calls.length, data };
    if (coverage !== undefined) report.coverage = round4(coverage);
    // The host words the note; the longest such call helps the user find it.
    if (coverage !== undefined && coverage < 1)
      report.longestUnrecordedMs = Math.round(recorder.state.longestUnrecordedMs * 1000) / 1000;
  }
  return report;
}

/** What a check run's in-place figures take from the profile's: the share they cover. */
function learnedFrom(recording) {
  return { coverage: recording.inPlace.coverage, share: recording.inPlace.share };
}

/**
 * The check mode's reference (the best version so far), imported from its own file, so it is a
 * module of its own beside the candidate: its functions, classes (recorded instances are rebuilt
 * from its classes) and module state. Its target function is called directly, also for a method.
 * A reference that cannot be loaded leaves the candidate measured alone, with a note (the host
 * then compares across runs).
 */
async function loadReference(job, notes) {
  const modulePath = job.mode.reference?.modulePath;
  if (typeof modulePath !== 'string' || modulePath.length === 0) return undefined;
  try {
    const reference = await loadTarget({ modulePath, target: job.target, intercept: false });
    reseed();
    return reference;
  } catch (e) {
    notes.push(
      `the reference module ${modulePath} could not be loaded, so the candidate was measured alone: ${String(e?.message ?? e).slice(0, 400)}`,
    );
    reseed();
    return undefined;
  }
}

/** Timing passes over all the sizes: a burst of load lands on one pass of every size, not on one size. */
const SIZE_PASSES = 3;

/**
 * Runtime and peak memory of one call per size, from the generator's inputs. The sizes are timed
 * in turn, SIZE_PASSES times over, and each keeps its fastest sample, as in the Python harness:
 * load only adds delays, and a burst on the largest sizes must not bend the fitted class (two CPU
 * hogs beside a run once turned a quadratic function cubic when each size was timed once).
 */
async function sizePoints({ gen, sizes, target, anyAsync, measure, notes }) {
  const points = [];
  for (const size of sizes) {
    reseed();
    let args = await gen(size);
    if (!Array.isArray(args)) args = [args];
    const calls = [{ args: encode(args) }];
    const inputBytes = JSON.stringify(calls[0].args).length;
    points.push({
      size,
      prepare: preparer(target, calls),
      round: makeRound(target.fn, anyAsync, 'candidate'),
      inputBytes,
    });
  }
  const budgetMs = Math.max(200, (measure.budgetMs ?? 1500) / sizes.length / 2) / SIZE_PASSES;
  for (let pass = 0; pass < SIZE_PASSES; pass++)
    for (const p of points) {
      const t = await measureRuntime({
        prepare: p.prepare,
        round: p.round,
        budgetMs,
        minSampleMs: measure.minSampleMs,
        maxSamples: 8,
        inputBytes: p.inputBytes,
        onCpu: true,
      });
      p.fastest = Math.min(p.fastest ?? Infinity, t.stats.min);
      p.median = t.stats.median;
    }
  const out = [];
  for (const p of points) {
    const m = await traceMemory({ prepare: p.prepare, round: p.round, notes, roundMs: p.median });
    out.push({ size: p.size, runtimeMs: p.fastest, peakMemoryKb: round2(m.peakMemoryKb) });
  }
  return out;
}

function round4(x) {
  return Math.round(x * 10_000) / 10_000;
}

function round2(x) {
  return Math.round(x * 100) / 100;
}
