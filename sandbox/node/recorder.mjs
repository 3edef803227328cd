// Records OUTERMOST calls to the target: a depth counter makes recursive and nested calls pass
// straight through. Arguments (and `this` for methods) are deep-copied as tagged JSON before the
// call; the result or exception and the arguments after the call (mutation) are copied after.
// Every outermost call is timed (the call alone, not its copies; an async one until it settles),
// so the share of the target's time in the tests that the recording stands for is known: all but
// the calls that were not recorded.
import { encode, NotCopyable } from './taggedJson.mjs';
import { testNow } from './currentTest.mjs';
import { schedulerWaitNs } from './measure.mjs';

const MAX_CALLS = 1000;
// Taken before any test runs: a test's fake timers must not stop the clock calls are timed by.
const clockMs = performance.now.bind(performance);
const MAX_RECORDING_CHARS = 32 * 1024 * 1024;
// Copying stops once it has taken this long beyond twice the time of the calls themselves: a
// runner's per-test timeout (mocha's 2 s) must not fire because of the recording. A listener held
// by an emitter, copied with the variables it reads (an assertion library's state), took ~25 ms a
// call, and a test making 100 such calls timed out.
const COPY_BUDGET_MS = 1000;

function describeThrown(e) {
  if (e instanceof Error) return { n: e.constructor?.name ?? e.name, m: String(e.message) };
  return { n: typeof e, m: String(e) };
}

export function createRecorder({ withThis }) {
  // made: calls the tests made (outermost ones); the others are recorded, skipped (input not copyable,
  // with the first reason) or over the limits (`overLimit`).
  const state = {
    calls: [],
    depth: 0,
    enabled: true,
    made: 0,
    skipped: 0,
    skipReason: undefined,
    overLimit: 0,
    chars: 0,
    // Milliseconds spent copying inputs and outcomes, and the calls left uncopied once over budget.
    copyMs: 0,
    overBudget: 0,
    // Milliseconds inside outermost calls; of them, in calls not recorded, and the longest of those.
    msAll: 0,
    msUnrecorded: 0,
    longestUnrecordedMs: 0,
    // Recorded calls the replay then found not to stand for the tests' call (see `drop`).
    dropped: 0,
    dropReason: undefined,
    // While set ({ ms, made, substitute?, enter?, leave? }), outermost calls are only timed, into it: a run of the tests timed in
    // place (inPlace.mjs), nothing recorded and the counts above left as the recording left them.
    inPlace: undefined,
  };
  /** Each recorded call's time, so a call dropped after the tests counts as not recorded. */
  const msOf = new WeakMap();
  const unrecorded = (ms) => {
    state.msAll += ms;
    state.msUnrecorded += ms;
    state.longestUnrecordedMs = Math.max(state.longestUnrecordedMs, ms);
  };
  const recorded = (call, ms) => {
    state.msAll += ms;
    msOf.set(call, ms);
  };
  /**
   * `ms` less `waitedNs`, the time the thread waited for a CPU meanwhile (undefined where unknown):
   * what shares the tests' time in the function out is the calls' own time, and on a busy machine
   * a time slice another process took in the middle of a 3-event call made it weigh 18 % beside a
   * 6,000-event one that takes 0.4 % of its time alone.
   */
  const lessWaited = (ms, waitedNs) => (waitedNs === undefined ? ms : Math.max(0, ms - waitedNs / 1e6));
  /**
   * Calls `target`, handing `took` its time (an async call's until it settles) and the time the
   * thread waited for a CPU meanwhile (schedstat, read outside the clock; undefined where unknown).
   * `open`/`close`, when given, bracket the call inside the wait reads: reading the wait allocates,
   * which a memory window around the call must not see. With `chain`, a thenable result is
   * returned chained rather than observed: a caller that chains on it anyway then calls its
   * `then` once, as the tests would (a lazy thenable, a query builder say, runs its work per call).
   */
  const timedBy = (took, target, thisArg, args, { open, close, chain } = {}) => {
    const w0 = schedulerWaitNs();
    const opened = open?.();
    const t0 = clockMs();
    const end = () => {
      const ms = clockMs() - t0;
      close?.(opened);
      const w1 = schedulerWaitNs();
      took(ms, w0 === undefined || w1 === undefined ? undefined : w1 - w0);
    };
    let result;
    // Its own recursive calls are inside it, as for a recorded call: not calls the tests made.
    state.depth++;
    try {
      result = Reflect.apply(target, thisArg, args);
    } finally {
      state.depth--;
      if (!isThenable(result)) end();
    }
    if (!isThenable(result)) return result;
    if (chain)
      return result.then(
        (value) => {
          end();
          return value;
        },
        (e) => {
          end();
          throw e;
        },
      );
    // Observed, not chained: the caller keeps the very promise the function returned.
    result.then(end, end);
    return result;
  };
  const timed = (target, thisArg, args) =>
    timedBy((ms, waitedNs) => unrecorded(lessWaited(ms, waitedNs)), target, thisArg, args);
  // `run.substitute`: the function run in the target's place (the best version so far, side by side);
  // `run.enter(i)` / `run.leave(opened)`, when given, open and close a window around the i-th call;
  // `run.took(i, ms, waitedNs)` sees it end.
  const timedInPlace = (run, target, thisArg, args) => {
    const index = run.made++;
    const test = testNow();
    if (test !== undefined) run.tests.add(test);
    return timedBy(
      (ms, waitedNs) => {
        run.ms += ms;
        run.took?.(index, ms, waitedNs);
      },
      run.substitute ?? target,
      thisArg,
      args,
      { open: run.enter && (() => run.enter(index)), close: run.leave },
    );
  };

  const finish = (call, args, thisArg) => {
    const t0 = clockMs();
    call.argsAfter = encode(args, false);
    if (withThis) call.thisAfter = encode(thisArg, false);
    state.chars += JSON.stringify(call).length;
    state.copyMs += clockMs() - t0;
  };

  const invoke = (target, thisArg, args) => {
    if (!state.enabled || state.depth > 0) return Reflect.apply(target, thisArg, args);
    if (state.inPlace) return timedInPlace(state.inPlace, target, thisArg, args);
    state.made++;
    if (state.calls.length >= MAX_CALLS || state.chars > MAX_RECORDING_CHARS) {
      state.overLimit++;
      return timed(target, thisArg, args);
    }
    if (state.copyMs > COPY_BUDGET_MS + 2 * state.msAll) {
      state.overBudget++;
      return timed(target, thisArg, args);
    }
    let call;
    let failed;
    const copyStarted = clockMs();
    try {
      call = { args: encode(args) };
      if (withThis) call.this = encode(thisArg);
    } catch (e) {
      failed = e;
    }
    state.copyMs += clockMs() - copyStarted;
    if (failed !== undefined) {
      // Recording never changes what the tests see: an input that breaks the copy is not recorded.
      state.skipped++;
      state.skipReason ??=
        failed instanceof NotCopyable
          ? `input holds ${failed.message}`
          : `its input could not be copied: ${failed?.message ?? failed}`;
      return timed(target, thisArg, args);
    }
    state.calls.push(call);
    let result;
    try {
      result = timedBy((ms, waitedNs) => recorded(call, lessWaited(ms, waitedNs)), target, thisArg, args, {
        chain: true,
      });
    } catch (e) {
      call.error = describeThrown(e);
      finish(call, args, thisArg);
      throw e;
    }
    if (isThenable(result)) {
      call.async = true;
      // Chained behind timedBy's reaction: the copies below are not in the call's time.
      return result.then(
        (value) => {
          call.result = encode(value, false);
          finish(call, args, thisArg);
          return value;
        },
        (e) => {
          call.error = describeThrown(e);
          finish(call, args, thisArg);
          throw e;
        },
      );
    }
    call.result = encode(result, false);
    finish(call, args, thisArg);
    return result;
  };

  /** A recorded call that does not replay as the tests made it: left out, its time counted as not recorded. */
  const drop = (call, reason) => {
    const ms = msOf.get(call) ?? 0;
    state.msAll -= ms; // counted again, as not recorded
    unrecorded(ms);
    state.dropped++;
    state.dropReason ??= reason;
  };

  /** The share of the time the tests spent in the target that the recorded calls took. */
  const coverage = () => (state.msAll > 0 ? Math.max(0, 1 - state.msUnrecorded / state.msAll) : undefined);

  /** A Proxy keeps the function's name, length, properties and prototype. */
  const wrap = (fn) => new Proxy(fn, { apply: (target, thisArg, args) => invoke(target, thisArg, args) });
  /** What the user should know about the calls that were not recorded. */
  const notes = () => {
    const plural = (n) => `${n} call${n === 1 ? '' : 's'}`;
    const out = [];
    if (state.skipped > 0) out.push(`${plural(state.skipped)} not recorded: ${state.skipReason}`);
    if (state.dropped > 0) out.push(`${plural(state.dropped)} not recorded: ${state.dropReason}`);
    if (state.overBudget > 0) {
      out.push(
        `${plural(state.overBudget)} not recorded: copying the inputs of the calls before took ${(state.copyMs / 1000).toFixed(1)} s, over twice the time of the calls themselves, so the later calls were timed, not copied`,
      );
    }
    if (state.overLimit > 0) {
      out.push(
        `${plural(state.overLimit)} not recorded: the recording keeps the first ${state.calls.length} calls (at most ${MAX_CALLS} calls, ${MAX_RECORDING_CHARS / 1024 / 1024} MB of copied values)`,
      );
    }
    return out;
  };
  return { state, wrap, notes, coverage, drop };
}

function isThenable(value) {
  return value !== null && typeof value === 'object' && typeof value.then === 'function';
}
