// Timing in place (JavaScript): the calls a recording cannot stand for, measured where the tests
// make them.
//
// A call whose inputs cannot be copied (a callback that reads variables around it, an instance of a
// class the module cannot rebuild, a stream) is left out of the replays, so a profile of the replays
// alone would pass a test's 4-item call for the function while its large call, the one the
// recording could not copy, is what takes the time. When such calls leave more than IN_PLACE_BELOW
// of the tests' time in the function unreplayed, the tests run again in this process, several
// times, with only a timer on the target: each run's sample is the time spent inside the target's
// outermost calls during that run (the calls alone, not the tests or the runner around them; an
// async call until it settles), so the figure is the function's time on exactly the inputs the
// tests give it. Every test file runs again (a JavaScript runner cannot run one test of a file
// alone), so the runs time every call and cover all of the tests' time in the function. Runs that
// warm up (compilation, V8's tiers; see warmUp) are not counted when there is time for them; runs
// stop at the budget (at least MIN_RUNS, at most MAX_RUNS), so slow tests cost a few runs, not a
// timeout. With no call recorded at all, memory comes from more runs with the memory tracer on.
//
// Side by side (check runs with a best version so far): the same tests run in ABBA-ordered pairs,
// once with the candidate and once with the best version's function called in its place, so a
// candidate is judged on the calls that matter with drift between runs cancelled, as replays are.
// Too few pairs for a sign test to speak (slow tests) give no in-place comparison.
// sandbox/python/afterburner_harness/in_place.py does the same for Python.
import {
  collectGarbage,
  leastDisturbed,
  measurementFrom,
  SAMPLE_ATTEMPTS,
  sampleLog,
  startCallTrace,
  summarize,
  withNoise,
} from './measure.mjs';
import { reseed } from './seededRandom.mjs';
import { HarnessError } from './harnessError.mjs';

/** Below this share of the tests' time in the function covered by the replays, the rest is timed in place. */
export const IN_PLACE_BELOW = 0.95;
const MIN_RUNS = 3;
const MAX_RUNS = 15;
// 8 pairs won of 8 is p ≈ 0.004 for the one-sided sign test; fewer cannot reach p < 0.01.
const MIN_PAIRS = 8;
// 11 won of 12 is still p ≈ 0.003, so one pair a burst of load spoils does not hide a real gain.
const WANTED_PAIRS = 12;
const MAX_PAIRS = 20;
const MAX_PAIRED_MS = 20_000;

/** Each run of the tests loads its test files under a URL of its own (testRunners.mjs). */
let runs = 0;

/**
 * One run of the tests with only a timer on the target (`substitute` called in its place when
 * given): { ms, made, tests, wallMs, each, elapsedNs, waitedNs, known }, or { why } when the run
 * could not be timed. `each`: each call's milliseconds, in the order the calls started;
 * `waitedNs`: the time the calls waited for a CPU (read around each, outside its clock).
 * `enter`/`leave`: a window around each call (recorder.mjs).
 */
async function timedRun({ recorder, rerun }, substitute, { enter, leave } = {}) {
  const each = [];
  let waitedNs = 0;
  let waitKnown = true;
  const run = {
    ms: 0,
    made: 0,
    substitute,
    // The tests the calls came from, where the runner says (currentTest.mjs).
    tests: new Set(),
    enter,
    leave,
    took: (index, ms, waited) => {
      if (waited === undefined) waitKnown = false;
      else waitedNs += waited;
      each[index] = ms;
    },
  };
  collectGarbage();
  reseed();
  const started = performance.now();
  recorder.state.inPlace = run;
  recorder.state.enabled = true;
  let tests;
  try {
    tests = await rerun(++runs);
  } catch (e) {
    return {
      why: `they could not run again (${String(e?.message ?? e)
        .split('\n')[0]
        .slice(0, 300)})`,
    };
  } finally {
    recorder.state.enabled = false;
    recorder.state.inPlace = undefined;
  }
  const wallMs = performance.now() - started;
  if (tests.failed > 0) {
    const first = tests.failures[0];
    return { why: `${tests.failed} of them failed (${first.test}: ${String(first.message).slice(0, 200)})` };
  }
  if (run.made === 0) return { why: 'they made no call to it' };
  // elapsedNs, waitedNs and known make it a take of leastDisturbed (measure.mjs).
  const elapsedNs = run.ms * 1e6;
  const making = run.tests.size > 0 ? run.tests.size : tests.passed;
  return { ms: run.ms, made: run.made, tests: making, wallMs, each, elapsedNs, waitedNs, known: waitKnown };
}

/** One in-place run as a take of leastDisturbed (measure.mjs): a failed run ends the attempts. */
async function steadyRun(context, substitute, log, attempts) {
  return leastDisturbed(() => timedRun(context, substitute), log, attempts);
}

/**
 * Runs `work` with the target's wrapper in the tests' way again: a binding the measurement had
 * unwrapped is wrapped for the runs and unwrapped after them.
 */
async function wrappedDuring(target, work) {
  target.rewrap?.();
  try {
    return await work();
  } finally {
    target.unwrap?.();
  }
}

/**
 * The in-place runtime of the tests' calls to the target: { figures: { runtimeMs, calls, tests } }
 * or { note } saying why there is none. `rerun(again)` runs the tests once more (runTests).
 */
export async function timeInPlace({ recorder, target, rerun, budgetMs }) {
  return wrappedDuring(target, async () => {
    const started = performance.now();
    const warm = await warmUp({ recorder, rerun }, [undefined], budgetMs);
    if (warm.failed) return notTimed(warm.failed);
    const samples = warm.counted ? [warm.counted.ms] : [];
    let last = warm.counted;
    const log = sampleLog();
    // Runs are taken again only when the tests are short enough for MIN_RUNS of them to be so within the budget.
    const runMs = warm.counted?.wallMs ?? warm.roundMs;
    const attempts = runMs * SAMPLE_ATTEMPTS * MIN_RUNS <= budgetMs ? SAMPLE_ATTEMPTS : 1;
    while (samples.length < MAX_RUNS) {
      if (samples.length >= MIN_RUNS && performance.now() - started >= budgetMs) break;
      const timed = await steadyRun({ recorder, rerun }, undefined, log, attempts);
      if (timed.why) return notTimed(timed);
      samples.push(timed.ms);
      last = timed;
    }
    return {
      figures: { runtimeMs: withNoise(summarize(samples), log), calls: last.made, tests: last.tests },
      heavy: heaviest(last.each),
    };
  });
}

/** Why there is no in-place timing: a run of the tests failed ({ why }). */
function notTimed(failed) {
  return {
    note: `the calls that could not be recorded were not timed in place: when the tests making them ran again, ${failed.why}.`,
  };
}

/** At most this many rounds of runs before the counted ones. */
const WARM_UP_ROUNDS = 10;

/**
 * Runs of the tests that are not counted: the first compiles the code, and V8's optimising tiers
 * keep changing it for a few runs more (seen: runs 4 and 5 of a 15 ms test 3–8× slower than the
 * runs after them, a CV of 90 % over 15 runs when only the first was left out). A round runs each
 * of `substitutes` once (undefined: the target itself); rounds go on up to WARM_UP_ROUNDS while
 * they fit a quarter of the budget. { roundMs } (the last round's wall time), { counted } when
 * the first run alone took a quarter of the budget (slow tests: it is counted rather than spent on
 * warming up; one side only), or { failed: the run's { why }, substitute }.
 */
async function warmUp(context, substitutes, budgetMs) {
  const started = performance.now();
  let roundMs = 0;
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    roundMs = 0;
    for (const substitute of substitutes) {
      const timed = await timedRun(context, substitute);
      if (timed.why) return { failed: timed, substitute };
      if (round === 0 && substitutes.length === 1 && timed.wallMs >= budgetMs / 4) return { counted: timed };
      roundMs += timed.wallMs;
    }
    if (performance.now() - started + roundMs >= budgetMs / 4) break;
  }
  return { roundMs };
}

/**
 * The candidate's in-place runtime and the reference's (`referenceFn` called in the target's
 * place), paired run for run in ABBA order: { mine, theirs } or { note } saying why there is none.
 */
export async function pairedInPlace({ recorder, target, rerun, referenceFn, budgetMs }) {
  return wrappedDuring(target, async () => {
    const notPaired = (timed, isReference) =>
      `the calls that could not be recorded were not compared in place: when the tests making them ran again with ${isReference ? 'the best version so far' : 'this version'}, ${timed.why}.`;
    const warm = await warmUp({ recorder, rerun }, [undefined, referenceFn], budgetMs);
    if (warm.failed) return { note: notPaired(warm.failed, warm.substitute !== undefined) };
    let pairMs = warm.roundMs;
    const mine = [];
    const theirs = [];
    const last = [];
    const logs = [sampleLog(), sampleLog()];
    const started = performance.now();
    while (mine.length < MAX_PAIRS) {
      const order = mine.length % 2 === 0 ? [false, true] : [true, false];
      const pair = [];
      // On a busy machine nearly every run of slow tests waits for a CPU: runs are taken again
      // only while the pairs still wanted fit in the time left even so, else MIN_PAIRS of them
      // would never fit and the candidate would be judged across runs instead.
      const wanted = Math.max(0, MIN_PAIRS - mine.length);
      const left = MAX_PAIRED_MS - (performance.now() - started);
      const attempts = wanted * pairMs * SAMPLE_ATTEMPTS < left ? SAMPLE_ATTEMPTS : 1;
      const pairStarted = performance.now();
      for (const isReference of order) {
        const side = Number(isReference);
        const timed = await steadyRun({ recorder, rerun }, isReference ? referenceFn : undefined, logs[side], attempts);
        if (timed.why) return { note: notPaired(timed, isReference) };
        pair[side] = timed.ms;
        last[side] = timed;
      }
      mine.push(pair[0]);
      theirs.push(pair[1]);
      if (attempts === 1) pairMs = performance.now() - pairStarted;
      const elapsed = performance.now() - started;
      if (mine.length >= WANTED_PAIRS && elapsed >= 2 * budgetMs) break;
      // Slow tests: stop before the pairs still wanted would run past the bound.
      if (elapsed + pairMs > MAX_PAIRED_MS) break;
    }
    if (mine.length < MIN_PAIRS) {
      return {
        note: `the calls that could not be recorded were not compared in place: the tests making them are too slow for ${MIN_PAIRS} pairs of runs in ${MAX_PAIRED_MS / 1000} s (${mine.length} fit).`,
      };
    }
    const figures = (values, timed, log) => ({
      runtimeMs: withNoise(summarize(values), log),
      calls: timed.made,
      tests: timed.tests,
    });
    return {
      mine: figures(mine, last[0], logs[0]),
      theirs: figures(theirs, last[1], logs[1]),
      heavy: [heaviest(last[0].each), heaviest(last[1].each)],
    };
  });
}

/** At most this many calls of a memory run get a gc() before them (see `heaviest`)… */
const MAX_CLEAN_CALLS = 200;
/** …and at most this long in all, per run. */
const GC_BUDGET_MS = 250;

/**
 * The indices of the longest calls of a run, longest first, until they take 95 % of its time
 * (at most MAX_CLEAN_CALLS): the calls a memory run collects garbage before. A gc() before every
 * call would cost thousands of full collections of the runner's heap; a call that takes little of
 * the time allocates little, and a scavenge in it hides little.
 */
function heaviest(each) {
  const order = each.map((ms, i) => [ms ?? 0, i]).sort((a, b) => b[0] - a[0]);
  const total = order.reduce((sum, [ms]) => sum + ms, 0);
  const chosen = [];
  let covered = 0;
  for (const [ms, i] of order) {
    if (chosen.length >= MAX_CLEAN_CALLS || covered >= 0.95 * total) break;
    chosen.push(i);
    covered += ms;
  }
  return chosen;
}

/** Runs of the tests with the memory tracer on: at least one, MEMORY_RUNS when they fit the budget. */
const MEMORY_RUNS = 5;

/**
 * Peak memory and memory-time integral of the tests' calls to the target (`substitute` called in
 * its place when given), from more runs of the tests with the memory tracer on (measure.mjs
 * startCallTrace): { memory } or { note } saying why there is none. One run alone is not enough:
 * a call's garbage counts until a scavenge frees it, and where that falls moves from run to run
 * (five runs of one garbage-heavy call read 5.0, 16.1, 14.8, 12.0 and 15.9 MB). The peak is the
 * second highest of three runs or more (the highest is bounded by the young generation and
 * repeats, but one run's may also hold code V8 compiled in the middle of a call), the integral
 * and sampling rate the median. `runtimeMs`: the untraced time of the
 * calls in a run; `heavy`: the calls to collect garbage before (heaviest); `budgetMs`: for the
 * runs after the first.
 */
export async function memoryInPlace({ recorder, target, rerun, runtimeMs, substitute, heavy = [], budgetMs }) {
  const notMeasured = (why) => ({ note: `the memory of the calls timed in place was not measured: ${why}.` });
  return wrappedDuring(target, async () => {
    let trace;
    try {
      trace = await startCallTrace();
    } catch (e) {
      return notMeasured(`the memory sampler did not start (${String(e?.message ?? e).slice(0, 200)})`);
    }
    // A runner's per-test timeout (mocha's 2 s) must not fire because of the collections: as many
    // of the heaviest calls get one as GC_BUDGET_MS of them allow (a full collection of a runner's
    // heap takes ~5–20 ms).
    const gcStarted = performance.now();
    collectGarbage();
    const gcMs = Math.max(performance.now() - gcStarted, 0.1);
    const clean = new Set(heavy.slice(0, Math.floor(GC_BUDGET_MS / gcMs)));
    const hooks = {
      enter: (index) => trace.enter(clean.has(index)),
      leave: (window) => trace.leave(window),
    };
    const started = performance.now();
    let failed;
    for (let runs = 0; runs < MEMORY_RUNS && (runs === 0 || performance.now() - started < budgetMs / 2); runs++) {
      trace.run();
      const timed = await timedRun({ recorder, rerun }, substitute, hooks);
      if (timed.why) {
        failed = timed.why;
        break;
      }
    }
    const read = await trace.read(runtimeMs);
    if (failed) return notMeasured(`when the tests making them ran again with the memory sampler on, ${failed}`);
    const middle = (key) => summarize(read.map((r) => r[key])).median;
    return {
      memory: {
        peakMemoryKb: highButOne(read.map((r) => r.peakMemoryKb)),
        integralKbMs: middle('integralKbMs'),
        integralSampleHz: middle('integralSampleHz'),
      },
    };
  });
}

/** The second highest of `values` when there are three or more, else the highest. */
function highButOne(values) {
  const sorted = [...values].sort((a, b) => b - a);
  return sorted.length >= 3 ? sorted[1] : sorted[0];
}

/**
 * The whole measurement when no call could be recorded (every input holds what cannot be copied):
 * the calls timed in place, side by side with `referenceFn` when given (a check run), else alone,
 * and their memory from one more run per side. `learned`: { coverage, share } for the in-place
 * figures; `why`: why no call could be recorded. { measurement, referenceMeasurement?, notes }; a
 * HarnessError when they cannot be timed.
 */
export async function measureInPlaceOnly({ recorder, target, rerun, budgetMs, learned, referenceFn, spec, why }) {
  const notes = [];
  let sides;
  if (referenceFn) {
    const paired = await pairedInPlace({ recorder, target, rerun, referenceFn, budgetMs });
    if (paired.note) notes.push(paired.note);
    else
      sides = [
        { figures: paired.mine, heavy: paired.heavy[0] },
        { figures: paired.theirs, heavy: paired.heavy[1], substitute: referenceFn },
      ];
  }
  if (!sides) {
    // Alone (no best version so far, or too slow to pair): the host compares across runs.
    const timed = await timeInPlace({ recorder, target, rerun, budgetMs });
    if (timed.note)
      throw new HarnessError(
        `none of the calls to \`${spec}\` could be recorded${why ? ` (${why})` : ''}, and timing them in place failed: ${timed.note} Next step: call it in the tests with plain data (arrays, objects, numbers, strings, instances of the module's classes).`,
      );
    sides = [{ figures: timed.figures, heavy: timed.heavy }];
  }
  const measured = [];
  for (const { figures, heavy, substitute } of sides) {
    const traced = await memoryInPlace({
      recorder,
      target,
      rerun,
      runtimeMs: figures.runtimeMs.median,
      substitute,
      heavy,
      budgetMs,
    });
    if (traced.note) notes.push(traced.note);
    // Not measured (the note says why): zeros the host shows as "not measured", never as figures.
    const memory = traced.memory ?? { peakMemoryKb: 0, integralKbMs: 0, integralSampleHz: 0 };
    measured.push({
      ...measurementFrom(figures.runtimeMs, memory, figures.calls),
      ...(traced.memory ? {} : { memoryUnmeasured: true }),
      inPlace: { ...figures, ...learned },
      basis: 'inPlace',
    });
  }
  return { measurement: measured[0], referenceMeasurement: measured[1], notes };
}
