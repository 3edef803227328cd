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
// alone), so the runs time every call and cover all of the tests' time in the function. The first
// run warms up (first-call compilation) and is not counted when there is time for it; runs stop
// at the budget (at least MIN_RUNS, at most MAX_RUNS), so slow tests cost a few runs, not a timeout.
//
// Side by side (check runs with a best version so far): the same tests run in ABBA-ordered pairs,
// once with the candidate and once with the best version's function called in its place, so a
// candidate is judged on the calls that matter with drift between runs cancelled, as replays are.
// Too few pairs for a sign test to speak (slow tests) give no in-place comparison.
// sandbox/python/afterburner_harness/in_place.py does the same for Python.
import { collectGarbage, summarize } from './measure.mjs';
import { reseed } from './seededRandom.mjs';

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
 * given): { ms, made, tests, wallMs } or { why } when the run could not be timed.
 */
async function timedRun({ recorder, rerun }, substitute) {
  const run = { ms: 0, made: 0, substitute };
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
  return { ms: run.ms, made: run.made, tests: tests.passed, wallMs };
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
    const samples = [];
    let last;
    let warmed = false;
    const started = performance.now();
    while (samples.length < MAX_RUNS) {
      const timed = await timedRun({ recorder, rerun });
      if (timed.why) {
        return {
          note: `the calls that could not be recorded were not timed in place: when the tests making them ran again, ${timed.why}.`,
        };
      }
      if (!warmed) {
        warmed = true;
        // A run that takes a quarter of the budget is counted rather than spent on warming up.
        if (timed.wallMs < budgetMs / 4) continue;
      }
      samples.push(timed.ms);
      last = timed;
      if (samples.length >= MIN_RUNS && performance.now() - started >= budgetMs) break;
    }
    return { figures: { runtimeMs: summarize(samples), calls: last.made, tests: last.tests } };
  });
}

/**
 * The candidate's in-place runtime and the reference's (`referenceFn` called in the target's
 * place), paired run for run in ABBA order: { mine, theirs } or { note } saying why there is none.
 */
export async function pairedInPlace({ recorder, target, rerun, referenceFn, budgetMs }) {
  return wrappedDuring(target, async () => {
    const notPaired = (timed, isReference) =>
      `the calls that could not be recorded were not compared in place: when the tests making them ran again with ${isReference ? 'the best version so far' : 'this version'}, ${timed.why}.`;
    // Warm-up: one run of each, not counted.
    let pairMs = 0;
    for (const substitute of [undefined, referenceFn]) {
      const timed = await timedRun({ recorder, rerun }, substitute);
      if (timed.why) return { note: notPaired(timed, substitute !== undefined) };
      pairMs += timed.wallMs;
    }
    const mine = [];
    const theirs = [];
    const last = [];
    const started = performance.now();
    while (mine.length < MAX_PAIRS) {
      const order = mine.length % 2 === 0 ? [false, true] : [true, false];
      const pair = [];
      for (const isReference of order) {
        const timed = await timedRun({ recorder, rerun }, isReference ? referenceFn : undefined);
        if (timed.why) return { note: notPaired(timed, isReference) };
        pair[Number(isReference)] = timed.ms;
        last[Number(isReference)] = timed;
      }
      mine.push(pair[0]);
      theirs.push(pair[1]);
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
    const figures = (values, timed) => ({ runtimeMs: summarize(values), calls: timed.made, tests: timed.tests });
    return { mine: figures(mine, last[0]), theirs: figures(theirs, last[1]) };
  });
}
