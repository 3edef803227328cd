// Measurement on replayed calls. Runtime: warm-up until the per-round time has settled (V8 has
// optimised the code), a loop count calibrated so one sample lasts ≥ minSampleMs, samples until
// budgetMs (at least 5, at most maxSamples); side by side with a reference: measurePairedRuntime.
// A sample that waited for a CPU (other processes) for more than 2 % of its time is taken again; the
// runtime reports how many were, and the share of the timed wall time spent waiting. Fresh deep copies of
// the inputs for every round of a sample are made BEFORE its clock starts. V8's GC cannot be
// switched off, so instead gc() runs before every sample (needs --expose-gc), which keeps
// collections caused by earlier samples out of the next one; a copy of each side's inputs stays
// alive meanwhile so that gc() does not free their hidden classes (keepShapes). Math.random is
// reseeded per round.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector';
import fs from 'node:fs';
import { reseed } from './seededRandom.mjs';
import { createLineMapper } from './sourceMap.mjs';

const now = () => process.hrtime.bigint();
const msSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

// A replay round runs every prepared call once; exceptions are part of the recorded behaviour.
// `replayRound.many(batch)` runs a batch of rounds in one loop: the code timing uses, so that a
// synchronous target is not charged an `await` (a microtask turn) per round, and so that warm-up
// optimises exactly the loop that is timed.
const SYNC_ROUND = `function replayRound(prepared) {
  reseed();
  for (let i = 0; i < prepared.length; i++) {
    const p = prepared[i];
    try {
      fn.apply(p.thisArg, p.args);
    } catch {
      // replayed exceptions are expected behaviour
    }
  }
}
replayRound.many = function replayRounds(batch) {
  for (let i = 0; i < batch.length; i++) replayRound(batch[i]);
};
return replayRound;`;
const ASYNC_ROUND = `async function replayRound(prepared) {
  reseed();
  for (const p of prepared) {
    try {
      await fn.apply(p.thisArg, p.args);
    } catch {
      // replayed exceptions are expected behaviour
    }
  }
}
replayRound.many = async function replayRounds(batch) {
  for (let i = 0; i < batch.length; i++) await replayRound(batch[i]);
};
return replayRound;`;

/**
 * The replay round of `fn`. Every `side` gets function literals of its own (compiled from source
 * naming the side): closures of one literal share V8's type feedback and optimised code, so a
 * candidate and a reference replayed by one literal would make its call site polymorphic, and
 * which of the two V8 inlines there would tilt a side-by-side comparison.
 */
export function makeRound(fn, anyAsync, side = 'target') {
  const source = `// afterburner replay round (${side})\n${anyAsync ? ASYNC_ROUND : SYNC_ROUND}`;
  return new Function('fn', 'reseed', source)(fn, reseed);
}

/**
 * Runs a batch of rounds through the round's own batch loop. Returns a promise only for async
 * rounds: a synchronous batch finishes before this returns, with no microtask turn to time.
 */
function runBatch(round, batch) {
  if (typeof round.many === 'function') return round.many(batch);
  return (async () => {
    for (const p of batch) await round(p);
  })();
}

export function collectGarbage() {
  // Twice: V8 frees ArrayBuffer backing stores (counted in `external`) only once a second
  // collection finishes the first one's sweeping, so one gc() leaves the old buffers in the baseline.
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
}

/**
 * The quantile of the samples that repeats best across separate profiles (`p10`; the host's
 * RuntimeStats says why): the 10th percentile, nearest rank below, the minimum under 11 samples.
 */
const LOW_QUANTILE = 0.1;

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  const p10 = sorted[Math.floor(LOW_QUANTILE * (n - 1))];
  return { median, p10, min: sorted[0], mean, cv: mean > 0 ? Math.sqrt(variance) / mean : 0, samples: n, values };
}

/** Per `prepare` function: the inputs kept alive for it (see keepShapes); they live as long as it does. */
const keptInputs = new WeakMap();

/**
 * A side as the timing uses it: its `prepare` and `round`, plus `kept`, two rounds of its inputs
 * held for as long as its `prepare` function lives (the timing, then the memory tracing of the
 * same side): one fresh, one that went through a replayed round.
 *
 * Why: V8 holds the hidden classes (maps) of objects made by `Object.create(prototype)` (how the
 * recorded `this` and class-instance arguments are rebuilt) and of the property transitions after
 * them (plain objects and properties a call adds) only weakly, and so does the optimised code that
 * relies on them. Nothing else keeps those maps alive, so once a side's copies are garbage, the
 * gc() before the next sample frees its maps and throws away its optimised code ("weak objects");
 * its next sample then re-learns the new maps, deoptimises ("insufficient type feedback") and
 * recompiles, paying a fixed cost of several rounds inside the timed loop. Side by side, that is
 * every sample that follows one of the other side (the second of each ABBA pair, the first side's
 * copies being collected in between), which for a `Class.method` target made the pair ratios jump
 * between ~0.2, ~0.5 and ~2–12 for a candidate exactly twice as fast. Holding one copy of each
 * kind keeps every map the replay meets alive, so the code V8 optimised in the warm-up is the code
 * every sample times.
 */
function keepShapes({ prepare, round }) {
  let kept = keptInputs.get(prepare);
  if (kept === undefined) {
    kept = { fresh: prepare(), replayed: undefined };
    keptInputs.set(prepare, kept);
  }
  return { prepare, round, kept };
}

/** Holds the inputs of the last round of a batch just replayed (with whatever the calls changed in them). */
function keepReplayed(side, batch) {
  if (side.kept && batch.length > 0) side.kept.replayed = batch[batch.length - 1];
}

/** Rounds of the last warm-up window; warm-up ends once the best of one window is no faster than the one before. */
const WARM_WINDOW = 5;

function settled(times) {
  if (times.length < 2 * WARM_WINDOW) return false;
  const last = Math.min(...times.slice(-WARM_WINDOW));
  const before = Math.min(...times.slice(-2 * WARM_WINDOW, -WARM_WINDOW));
  return last >= before * 0.95;
}

/**
 * Warms every side up, their steps alternating, through the same batch loop the samples use,
 * until V8 has tiered the code up: at least `minMs` and until each side's per-round time stops
 * falling (the best step of the last window of 5 is within 5 % of the best of the window before;
 * the best, because a loaded machine adds spikes but never speed), at most `maxMs`. A step is a
 * batch of rounds lasting about 1 ms (one round when rounds are longer). Returns per side
 * `roundMs`, the best round time of its last window (a steadier basis for the loop count than one
 * round), and `prepareMs`, the best time to prepare one round's fresh inputs.
 */
async function warmUp(sides, minMs, maxMs, inputBytes = 0) {
  const history = sides.map(() => []);
  const preparing = sides.map(() => []);
  const batchSizes = sides.map(() => 1);
  const cap = Math.min(1000, inputBytes > 0 ? Math.max(1, Math.floor((16 * 1024 * 1024) / inputBytes)) : 1000);
  const start = now();
  for (;;) {
    for (let s = 0; s < sides.length; s++) {
      const size = batchSizes[s];
      const p0 = now();
      const batch = Array.from({ length: size }, sides[s].prepare);
      preparing[s].push(msSince(p0) / size);
      const t0 = now();
      const pending = runBatch(sides[s].round, batch);
      if (pending) await pending;
      const perRound = Math.max(msSince(t0) / size, 1e-6);
      keepReplayed(sides[s], batch);
      history[s].push(perRound);
      batchSizes[s] = Math.max(1, Math.min(cap, Math.ceil(1 / perRound)));
    }
    const elapsed = msSince(start);
    if (elapsed >= maxMs || (elapsed >= minMs && history.every(settled))) break;
  }
  return history.map((times, s) => ({
    roundMs: Math.max(Math.min(...times.slice(-WARM_WINDOW)), 1e-4),
    prepareMs: Math.min(...preparing[s].slice(-WARM_WINDOW)),
  }));
}

function warmUpWindow(budgetMs) {
  const minMs = Math.min(Math.max(budgetMs * 0.1, 50), 300);
  return { minMs, maxMs: 5 * minMs };
}

/** Loop count for rounds of `roundMs`: one sample lasts ≥ minSampleMs, prepared copies stay within ~64 MB. */
function loopsFor(roundMs, minSampleMs, inputBytes) {
  const memoryCap = inputBytes > 0 ? Math.max(1, Math.floor((64 * 1024 * 1024) / inputBytes)) : 100_000;
  return Math.max(1, Math.min(Math.ceil(minSampleMs / roundMs), 100_000, memoryCap));
}

/** A sample that waited for a CPU for more than this share of its time is taken again. */
const DISTURBED_SHARE = 0.02;
export const SAMPLE_ATTEMPTS = 3;
let schedstatFd;
const schedstatBuffer = Buffer.alloc(128);

/**
 * Nanoseconds the main thread has spent runnable but waiting for a CPU (run_delay in
 * /proc/thread-self/schedstat, opened once from the main thread), or undefined where the kernel
 * does not offer it. On a shared machine other processes take the CPU away in the middle of a
 * sample and their time lands in ours.
 */
export function schedulerWaitNs() {
  if (schedstatFd === undefined) {
    try {
      schedstatFd = fs.openSync('/proc/thread-self/schedstat', 'r');
    } catch {
      schedstatFd = null;
    }
  }
  if (schedstatFd === null) return undefined;
  try {
    const n = fs.readSync(schedstatFd, schedstatBuffer, 0, schedstatBuffer.length, 0);
    const value = Number(schedstatBuffer.toString('latin1', 0, n).split(' ')[1]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The least disturbed of up to `attempts` takes: a take during which the thread waited for a CPU
 * for more than DISTURBED_SHARE of its time is taken again, and of the attempts the one that
 * waited least counts; only whole, real takes are kept, nothing is subtracted. `take()` gives
 * { elapsedNs, waitedNs, known } (and whatever the caller needs of it), or { why }, which ends it.
 * `log` (see sampleLog) counts what every attempt saw. This is what made identical code measure 3×
 * apart in two runs on a loaded machine: not the JIT (V8 has optimised these functions after a few
 * rounds), but time slices lost to other processes in the middle of samples.
 */
export async function leastDisturbed(take, log, attempts = SAMPLE_ATTEMPTS) {
  let best;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const taken = await take();
    if (taken.why) return taken;
    log.timedNs += taken.elapsedNs;
    log.waitedNs += taken.waitedNs;
    log.known &&= taken.known;
    if (attempt === 1) log.retaken++;
    if (best === undefined || taken.waitedNs < best.waitedNs) best = taken;
    if (!taken.known || taken.waitedNs <= DISTURBED_SHARE * taken.elapsedNs) break;
  }
  return best;
}

/**
 * One timing sample: `loops` rounds on inputs prepared before the clock starts, gc() first. Ms
 * per round, the least disturbed of up to `attempts`.
 */
async function sample(side, loops, log, attempts = SAMPLE_ATTEMPTS, onCpu = false) {
  const { prepare, round } = side;
  const best = await leastDisturbed(
    async () => {
      const batch = new Array(loops);
      for (let i = 0; i < loops; i++) batch[i] = prepare();
      collectGarbage();
      const w0 = schedulerWaitNs();
      const t0 = now();
      const pending = runBatch(round, batch);
      if (pending) await pending;
      const elapsedNs = Number(now() - t0);
      const w1 = schedulerWaitNs();
      keepReplayed(side, batch);
      const known = w0 !== undefined && w1 !== undefined;
      return { elapsedNs, waitedNs: known ? w1 - w0 : 0, known };
    },
    log,
    attempts,
  );
  // On the CPU only: the time it waited for one left out (see measureRuntime's onCpu).
  return (onCpu ? Math.max(best.elapsedNs - best.waitedNs, 0) : best.elapsedNs) / 1e6 / loops;
}

/**
 * What the timed attempts of one runtime saw: samples taken again, and wall time waited for a CPU
 * out of the wall time timed (every attempt, kept or not). The host judges from these whether the
 * machine was busy (src/core/noise.ts).
 */
export function sampleLog() {
  return { retaken: 0, waitedNs: 0, timedNs: 0, known: true };
}

export function withNoise(stats, log) {
  return {
    ...stats,
    retaken: log.retaken,
    // The wait is read just outside the clock, so it can exceed the time timed by a hair.
    ...(log.known && log.timedNs > 0 ? { waitShare: Math.min(1, log.waitedNs / log.timedNs) } : {}),
  };
}

/**
 * Times rounds. `prepare()` returns fresh inputs for one round; `inputBytes` (size of one round's
 * recorded inputs) caps the loop count so the prepared copies stay within ~64 MB. `onCpu` leaves
 * out of each sample the time the thread waited for a CPU: for points compared across sizes,
 * where a long sample almost always spans another process's time slice and a short one seldom
 * does (beside two CPU hogs a quadratic function's fastest samples grew as n³).
 */
export async function measureRuntime({
  prepare,
  round,
  budgetMs = 1500,
  minSampleMs = 5,
  maxSamples = 60,
  inputBytes = 0,
  onCpu = false,
}) {
  const side = keepShapes({ prepare, round });
  const { minMs, maxMs } = warmUpWindow(budgetMs);
  const [{ roundMs }] = await warmUp([side], minMs, maxMs, inputBytes);
  const loops = loopsFor(roundMs, minSampleMs, inputBytes);
  const long = roundMs >= LONG_ROUND_MS;
  const floor = long && MIN_SAMPLES * roundMs > budgetMs ? LONG_ROUND_MIN_SAMPLES : MIN_SAMPLES;
  const values = [];
  const log = sampleLog();
  const start = now();
  while (values.length < maxSamples && (values.length < floor || msSince(start) < budgetMs)) {
    values.push(await sample(side, loops, log, long ? 2 : SAMPLE_ATTEMPTS, onCpu));
  }
  return { stats: withNoise(summarize(values), log), loops, roundMs, long };
}

const MIN_SAMPLES = 5;
/**
 * A round of the recorded calls at least this long is a long round: measured within the time
 * budget by lowering the counts, not by overrunning it (a profile of a function whose tests take
 * T seconds ends in about 10·T plus a fixed cost): as many samples as the budget holds, at least
 * LONG_ROUND_MIN_SAMPLES, each taken again at most once. (Its memory is one traced window.)
 */
const LONG_ROUND_MS = 50;
const LONG_ROUND_MIN_SAMPLES = 3;

/** What the notes say of a long round's measurement. */
export function longRoundNote(stats) {
  return `one round of the recorded calls lasts ${Math.round(stats.median)} ms: the runtime is from ${stats.samples} timing samples and the memory from one traced round, so the profile stays within its time budget.`;
}

/**
 * With n pairs the sign test's smallest p-value is 0.5^n; 20 pairs reach p < 0.01 even when 4
 * pairs go the other way (a time slice lost in one member of a pair, say).
 */
export const MIN_PAIRS = 20;

/**
 * Side-by-side runtime of a candidate (`a`) and a reference (`b`), each `{ prepare, round }` with
 * a round of its own (makeRound with distinct sides). Both are warmed up together, their steps
 * alternating, until both have settled, so neither is timed before V8 optimised it. One loop
 * count for both: the larger of their own calibrated counts (so the faster one's sample also lasts
 * ≥ minSampleMs), lowered when needed so that the rounds and input preparation of MIN_PAIRS pairs
 * fit in twice the budget (the gc() before each sample comes on top; fitting the pairs comes first, so
 * when preparing inputs costs far more than running them, samples get shorter than minSampleMs;
 * the clock resolves nanoseconds). Samples come in pairs in ABBA order (a b, b a, a b, …): drift of
 * the machine during the run hits both members of a pair alike and cancels out of pair i's ratio
 * a_i / b_i. Each side keeps a copy of its inputs alive throughout (keepShapes), so the gc() before
 * a sample does not free the hidden classes of its inputs and deoptimise its code while the other
 * side is timed. At least MIN_PAIRS pairs (even above maxSamples: fewer could hardly show a
 * significant difference), more while the budget lasts, at most max(maxSamples, MIN_PAIRS).
 * Returns both stats; `values[i]` of each belong to pair i.
 */
export async function measurePairedRuntime({
  a: sideA,
  b: sideB,
  budgetMs = 1500,
  minSampleMs = 5,
  maxSamples = 60,
  inputBytes = 0,
}) {
  const a = keepShapes(sideA);
  const b = keepShapes(sideB);
  const { minMs, maxMs } = warmUpWindow(budgetMs);
  const [warmA, warmB] = await warmUp([a, b], 2 * minMs, 2 * maxMs, inputBytes);
  const wanted = Math.max(
    loopsFor(warmA.roundMs, minSampleMs, inputBytes),
    loopsFor(warmB.roundMs, minSampleMs, inputBytes),
  );
  const perLoopMs = warmA.roundMs + warmB.roundMs + warmA.prepareMs + warmB.prepareMs;
  // The gc() before each sample costs the same whatever the loop count, so it is not taken out of
  // the rounds' share: with jest loaded in the process (~100 MB of heap) it took more than a pair's
  // share by itself, which left one round per sample, and samples of a 0.3 µs round read 5–6 µs of
  // overhead (two equivalent versions came out 27 % apart).
  const fitBudget = Math.floor((2 * budgetMs) / MIN_PAIRS / perLoopMs);
  const loops = Math.max(1, Math.min(wanted, fitBudget));
  const valuesA = [];
  const valuesB = [];
  const limit = Math.max(maxSamples, MIN_PAIRS);
  const logA = sampleLog();
  const logB = sampleLog();
  const start = now();
  while (valuesA.length < limit && (valuesA.length < MIN_PAIRS || msSince(start) < 2 * budgetMs)) {
    if (valuesA.length % 2 === 0) {
      valuesA.push(await sample(a, loops, logA));
      valuesB.push(await sample(b, loops, logB));
    } else {
      valuesB.push(await sample(b, loops, logB));
      valuesA.push(await sample(a, loops, logA));
    }
  }
  return { a: withNoise(summarize(valuesA), logA), b: withNoise(summarize(valuesB), logB), loops };
}

/** Memory in use on this thread, bytes: V8 heap + external (which includes ArrayBuffers). */
function memoryNow() {
  const u = process.memoryUsage();
  return u.heapUsed + u.external;
}

/** The tracer asks for the main thread's memory this often (~4 kHz). */
const TRACER_INTERVAL_US = 250;

async function startTracer(intervalUs) {
  globalThis.__afterburnerMemory = memoryNow;
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'memoryTracer.cjs');
  const worker = new Worker(file, { workerData: { flags: flags.buffer, intervalUs } });
  const failed = new Promise((_, reject) => worker.once('error', reject));
  failed.catch(() => undefined);
  // Wait (with the event loop running) until the worker samples.
  const t0 = now();
  while (Atomics.load(flags, 0) === 0) {
    await Promise.race([new Promise((r) => setTimeout(r, 2)), failed]);
    if (msSince(t0) > 5000) throw new Error('memory tracer did not start');
  }
  return {
    async stop() {
      Atomics.store(flags, 1, 1);
      const samples = await Promise.race([new Promise((r) => worker.once('message', r)), failed]);
      await worker.terminate();
      return samples;
    },
  };
}

/**
 * A loop that allocates nothing: small-integer arithmetic only (no clock reads: `performance.now()`
 * and `process.hrtime.bigint()` box their results on the heap, hundreds of kB per 10 ms).
 */
function spin(iterations) {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x + i) & 0xffff;
  return x;
}

/**
 * What a traced window costs by itself, measured before the windows are traced: `own`, the bytes
 * of the window's own bookkeeping (the baseline's and clocks' results, allocated after the baseline
 * is read), from an empty window; and a ~10 ms window of `spin`, compiled beforehand, whose growth
 * beyond `own` is the tracer's: every sample is an inspector evaluation on the main thread, which
 * leaves ~400 bytes on the very heap it reads (measured: 383–459 B a sample, steady). Its bytes per
 * sample are known once the samples are in (see perSampleBytes).
 */
function tracerCalibration() {
  const empty = [];
  for (let i = 0; i < 5; i++) {
    collectGarbage();
    const before = memoryNow();
    // The clock reads a window makes around its rounds.
    Number(now());
    Number(now());
    empty.push(memoryNow() - before);
  }
  const own = Math.max(0, median(empty));
  // Compiled (and its loop on-stack replaced) before the window: compiling allocates on the heap.
  for (let i = 0; i < 20; i++) spin(100_000);
  const t0 = now();
  spin(1_000_000);
  const iterations = Math.ceil((1_000_000 * 10) / Math.max(msSince(t0), 0.05));
  collectGarbage();
  const before = memoryNow();
  const tStart = Number(now());
  spin(iterations);
  const tEnd = Number(now());
  return { own, idle: { tStart, tEnd, grew: memoryNow() - before - own } };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/**
 * Below this many samples in the idle window (its sampling thread waited for a CPU: a busy
 * machine), its growth says too little about the bytes per sample.
 */
const MIN_CALIBRATION_SAMPLES = 5;
/** The bytes a sample leaves, as measured on idle windows that were sampled (383–459 B). */
const TYPICAL_SAMPLE_BYTES = 420;

/**
 * The tracer's bytes per sample: the idle window's growth over the samples taken in it. When the
 * window was hardly sampled, the typical figure: left at 0, every sample of a long window would
 * count as the code's (seen: 134 kB for a loop that allocates nothing, beside two CPU hogs).
 */
function perSampleBytes(calibration, samples) {
  const { tStart, tEnd, grew } = calibration.idle;
  const taken = samplesIn(samples, tStart, tEnd).length;
  return taken >= MIN_CALIBRATION_SAMPLES ? Math.max(0, grew) / taken : TYPICAL_SAMPLE_BYTES;
}

/** Indices of the samples taken inside [tStart, tEnd]. */
function samplesIn(samples, tStart, tEnd) {
  const inside = [];
  for (let j = lowerBound(samples.times, tStart); j < samples.times.length && samples.times[j] <= tEnd; j++)
    inside.push(j);
  return inside;
}

/**
 * Runs windows of `repeat` back-to-back rounds (fresh inputs, gc() before each window) until they
 * cover `minCoveredMs` of round time.
 */
async function runWindows({ side, repeat, minCoveredMs, maxWindows }) {
  const { prepare, round } = side;
  const windows = [];
  let covered = 0;
  const started = now();
  while (windows.length === 0 || (covered < minCoveredMs && windows.length < maxWindows && msSince(started) < 3000)) {
    const inputs = Array.from({ length: repeat }, prepare);
    collectGarbage();
    const baseline = memoryNow();
    const tStart = Number(now());
    const pending = runBatch(round, inputs);
    if (pending) await pending;
    const tEnd = Number(now());
    // Read before the window's record exists: an object literal is allocated before its fields are evaluated.
    const after = memoryNow();
    windows.push({ tStart, tEnd, baseline, after });
    keepReplayed(side, inputs);
    covered += (tEnd - tStart) / 1e6;
  }
  return { windows, covered, repeat };
}

/**
 * Peak and memory-time integral per round of the windows, from the tracer's samples in them.
 * m(t) = memory in use − the window's baseline − its own bookkeeping − the tracer's bytes for the
 * samples taken so far (see tracerCalibration). The integral is m's mean over a round's time times
 * the untraced round time `roundMs` (from the timing): a sample stops the round while the main
 * thread evaluates it, so the traced clock is not the round's (as tracemalloc slows Python's).
 */
function readWindows({ windows, covered, repeat }, samples, cost, sampling, notes, roundMs) {
  const traced = windows.map((w) =>
    repeat === 1 ? readWindow(w, samples, cost, sampling) : readRounds(w, samples, cost, repeat),
  );
  // A window the tracer hardly sampled (its thread waited for a CPU: the machine was busy) saw
  // only the start and end of the round and misses the peak in between; only when every window
  // starved do they count, and then the notes say so.
  const sampled = traced.filter((t) => !t.starved);
  if (sampled.length === 0 && traced.some((t) => t.starved))
    notes?.push('memory sampling starved: the machine was busy, so the peak may be missed');
  const counted = sampled.length > 0 ? sampled : traced;
  const peaks = counted.map((t) => t.peakKb).sort((a, b) => a - b);
  const sampleCount = traced.reduce((n, t) => n + t.samples, 0);
  return {
    peakKb: peaks[Math.floor((peaks.length - 1) / 2)],
    integralKbMs: meanOverRound(counted, repeat) * roundMs,
    hz: covered > 0 ? sampleCount / (covered / 1000) : 0,
  };
}

/** Samples this many or more, m's mean over a round of back-to-back rounds is the mean of the samples. */
const MIN_ROUND_SAMPLES = 10;

/** m's mean over a round's time, kB. */
function meanOverRound(windows, repeat) {
  if (repeat === 1) return windows.reduce((s, t) => s + t.meanKb, 0) / windows.length;
  const values = windows.flatMap((t) => t.values);
  if (values.length >= MIN_ROUND_SAMPLES) return values.reduce((s, v) => s + v, 0) / values.length;
  // Too few samples to see the round's shape: memory taken evenly over the round.
  return windows.reduce((s, t) => s + t.peakKb, 0) / windows.length / 2;
}

/** One round in a window: the trapezoid over its samples, in shares of the round's traced time. */
function readWindow(w, samples, cost, sampling) {
  const inside = samplesIn(samples, w.tStart, w.tEnd);
  const span = w.tEnd - w.tStart;
  const points = [[0, 0]];
  inside.forEach((j, n) =>
    points.push([(samples.times[j] - w.tStart) / span, aboveBaseline(w, cost, samples.values[j], n + 1)]),
  );
  points.push([1, aboveBaseline(w, cost, w.after, inside.length)]);
  let peak = 0;
  let mean = 0;
  for (let i = 0; i < points.length; i++) {
    peak = Math.max(peak, points[i][1]);
    if (i > 0) mean += ((points[i - 1][1] + points[i][1]) / 2) * (points[i][0] - points[i - 1][0]);
  }
  return {
    peakKb: peak / 1024,
    meanKb: mean / 1024,
    samples: inside.length,
    starved: sampling && isStarved(inside.length, span),
  };
}

/**
 * A window of `repeat` back-to-back rounds. Between collections the heap only grows, and the
 * rounds replay the same calls, so each allocates the window's growth / repeat: a sample's m in
 * its own round is its growth modulo that. Which round a sample fell in is not known (its time is
 * stamped when the answer reaches the sampler, tens of µs late, longer than a short round), but
 * it fell at a random point of one: the samples' mean is m's mean over a round.
 */
function readRounds(w, samples, cost, repeat) {
  const inside = samplesIn(samples, w.tStart, w.tEnd);
  const perRound = aboveBaseline(w, cost, w.after, inside.length) / repeat;
  const values =
    perRound > 0 ? inside.map((j, n) => (aboveBaseline(w, cost, samples.values[j], n + 1) % perRound) / 1024) : [];
  return { peakKb: perRound / 1024, values, samples: inside.length, starved: false };
}

/** Bytes above the window's baseline less its bookkeeping and the sampler's bytes for `taken` samples. */
function aboveBaseline(w, cost, bytes, taken) {
  return Math.max(0, bytes - w.baseline - cost.own - cost.perSample * taken);
}

/** A window got fewer than a quarter of the tracer's samples while it lasted four intervals or more. */
function isStarved(samples, durationNs) {
  const expected = durationNs / (TRACER_INTERVAL_US * 1000);
  return expected >= 4 && samples < expected / 4;
}

/** First index whose time is ≥ t (times ascend). */
function lowerBound(times, t) {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Rounds of a window of short rounds share the heap between collections: this many bytes at most.
 * After gc() V8's new space takes ~1 MB before a scavenge, which would free the earlier rounds'
 * garbage mid-window and break the reading of each round from its start.
 */
const REPEATED_WINDOW_BYTES = 512 * 1024;

/**
 * Peak memory and memory-time integral of a replay round.
 * Formula: m(t) = heapUsed + external − baseline (measured after gc() right before the window) −
 * the window's own bookkeeping − the tracer's own allocations (see tracerCalibration), sampled by
 * the tracer at ~4 kHz, plus m = 0 at the round's start and the value at its end;
 * integral = Σ (m_i + m_{i+1}) / 2 · (t_{i+1} − t_i) in kB·ms, with t measured as the share of
 * the traced round's time and scaled to the untraced round time (`roundMs`, the timing's 10th
 * percentile): a sample stops the round while the main thread evaluates it, as tracemalloc slows
 * Python's. Scaled by the median, a 3 µs round's integral spread 24 % over 5 profiles, its mean
 * memory 8.5 %: the rest was other tenants slowing whole stretches of the timing.
 * Peak: single-round windows (repeated up to ~25 ms of round time), median of the per-window maxima.
 * Integral: when a round is shorter than 2 ms, too short for ≥ 1 kHz sampling, each window runs
 * R = ⌈2 ms / round⌉ rounds back to back (fewer when R rounds would allocate over 4 MB, which a
 * collection could cut short), each round's m counted from the memory at its start, averaged over
 * the R rounds.
 */
export async function traceMemory({ prepare, round, notes, roundMs = 2 }) {
  let tracer;
  try {
    tracer = await startTracer(TRACER_INTERVAL_US);
  } catch (e) {
    notes.push(`memory sampling unavailable (${e.message}); peak and integral come from round boundaries only`);
  }
  const side = keepShapes({ prepare, round });
  const calibration = tracerCalibration();
  const short = roundMs < 2;
  const single = await runWindows({ side, repeat: 1, minCoveredMs: 25, maxWindows: short ? 20 : 200 });
  const grown = median(single.windows.map((w) => w.after - w.baseline - calibration.own));
  const repeat = short
    ? Math.max(
        1,
        Math.min(
          1000,
          Math.ceil(2 / Math.max(roundMs, 1e-4)),
          Math.floor(REPEATED_WINDOW_BYTES / Math.max(grown, 1024)),
        ),
      )
    : 1;
  const repeated = repeat > 1 ? await runWindows({ side, repeat, minCoveredMs: 40, maxWindows: 120 }) : undefined;
  if (repeated) {
    // A window that grew much less than its rounds allocate was cut by a collection after all.
    const whole = repeated.windows.filter((w) => w.after - w.baseline - calibration.own >= 0.75 * repeat * grown);
    if (whole.length > 0) repeated.windows = whole;
  }
  const samples = tracer ? await tracer.stop() : { times: [], values: [] };
  const cost = { own: calibration.own, perSample: perSampleBytes(calibration, samples) };
  const sampling = tracer !== undefined;
  const one = readWindows(single, samples, cost, sampling && !short, notes, roundMs);
  const many = repeated ? readWindows(repeated, samples, cost, sampling, notes, roundMs) : one;
  // A round whose peak is above zero has an area above zero: when the repeated windows read none
  // (each cut by a collection, or the sampler's cost taken for the rounds' own bytes), the single
  // rounds' trapezoid stands.
  const integralKbMs = many.integralKbMs > 0 || one.peakKb === 0 ? many.integralKbMs : one.integralKbMs;
  return { peakMemoryKb: one.peakKb, integralKbMs, integralSampleHz: many.hz };
}

/** A report's measurement from a runtime summary and the memory figures, rounded as reported. */
export function measurementFrom(runtimeMs, memory, calls) {
  return {
    runtimeMs,
    peakMemoryKb: Math.round(memory.peakMemoryKb * 100) / 100,
    processPeakKb: process.resourceUsage().maxRSS,
    // Four significant digits: a microsecond round's integral is hundredths of a kB·ms.
    integralKbMs: Number(memory.integralKbMs.toPrecision(4)),
    integralSampleHz: Math.round(memory.integralSampleHz),
    calls,
  };
}

/**
 * Memory of calls made where the tests make them (inPlace.mjs), not replayed, over one or more
 * runs of the tests: `run()` starts a run; `enter(clean)` opens a window at a call's start (gc()
 * first when `clean`: a collection in the middle of a call would free what it took before and
 * hide its peak) and `leave(window)` closes it when the call ends. `read(roundMs)` then reads each
 * window as a replay round's (readWindow: m above the memory at the call's start, less the
 * window's bookkeeping and the tracer's bytes) and gives each run's figures: the peak, the highest
 * of its calls' peaks; the integral, their areas summed with their traced time rescaled to
 * `roundMs`, the untraced time of the calls in one run of the tests.
 */
export async function startCallTrace() {
  const tracer = await startTracer(TRACER_INTERVAL_US);
  const calibration = tracerCalibration();
  const runs = [];
  return {
    run() {
      runs.push([]);
    },
    enter(clean) {
      if (clean) collectGarbage();
      const baseline = memoryNow();
      const tStart = Number(now());
      return { baseline, tStart };
    },
    leave(window) {
      const tEnd = Number(now());
      const after = memoryNow();
      window.tEnd = tEnd;
      window.after = after;
      runs.at(-1)?.push(window);
    },
    async read(roundMs) {
      const samples = await tracer.stop();
      const cost = { own: calibration.own, perSample: perSampleBytes(calibration, samples) };
      return runs.map((windows) => readCalls(windows, samples, cost, roundMs));
    },
  };
}

/** One run's figures from its calls' windows (see startCallTrace). */
function readCalls(windows, samples, cost, roundMs) {
  let peakKb = 0;
  let area = 0;
  let activeMs = 0;
  let taken = 0;
  for (const w of windows) {
    const r = readWindow(w, samples, cost, true);
    const ms = (w.tEnd - w.tStart) / 1e6;
    peakKb = Math.max(peakKb, r.peakKb);
    area += r.meanKb * ms;
    activeMs += ms;
    taken += r.samples;
  }
  return {
    peakMemoryKb: peakKb,
    integralKbMs: activeMs > 0 ? (area * roundMs) / activeMs : 0,
    integralSampleHz: activeMs > 0 ? taken / (activeMs / 1000) : 0,
  };
}

function post(session, method, params) {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

/**
 * Hot lines of the module's own code: the V8 sampling profiler at a 100 µs interval over a few
 * replay rounds; self ticks per source line (positionTicks) of every function defined in the
 * module file, as a share of all samples taken inside those functions (callees included). Lines
 * are those of the module's source when it has a source map (see rankLines).
 */
export async function hotLines({ prepare, round, moduleFile, moduleUrl, durationMs = 400 }) {
  const session = new Session();
  session.connect();
  let profile;
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
    await post(session, 'Profiler.start');
    const t0 = now();
    let rounds = 0;
    while (rounds < 3 || msSince(t0) < durationMs) {
      await round(prepare());
      rounds++;
      if (rounds > 100_000) break;
    }
    ({ profile } = await post(session, 'Profiler.stop'));
  } finally {
    session.disconnect();
  }
  const inModule = (node) => {
    const url = node.callFrame.url;
    return url === moduleUrl || url.startsWith(`${moduleUrl}?`) || url === moduleFile;
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let total = 0;
  const lineTicks = new Map();
  const visit = (node, inside) => {
    const here = inModule(node);
    const counted = inside || here;
    if (counted) total += node.hitCount ?? 0;
    if (here)
      for (const { line, ticks } of node.positionTicks ?? []) lineTicks.set(line, (lineTicks.get(line) ?? 0) + ticks);
    for (const c of node.children ?? []) {
      const child = byId.get(c);
      if (child) visit(child, counted);
    }
  };
  const root = profile.nodes[0];
  if (root) visit(root, false);
  if (total === 0) return [];
  return rankLines(lineTicks, total, moduleFile);
}

/**
 * The five lines with most ticks, as lines of what the user wrote: for a file with a source map
 * (TypeScript transpiled on the host) generated lines are mapped to the source's lines and their
 * ticks added up; generated lines with no source line (helpers the compiler added) are left out.
 */
function rankLines(lineTicks, total, moduleFile) {
  const mapper = createLineMapper(moduleFile);
  const byLine = new Map();
  if (mapper) {
    for (const [line, ticks] of lineTicks) {
      const original = mapper.original(line);
      if (!original) continue;
      const entry = byLine.get(original.line) ?? { text: original.text, hits: 0 };
      entry.hits += ticks;
      byLine.set(original.line, entry);
    }
  } else {
    const lines = fs.readFileSync(moduleFile, 'utf8').split('\n');
    for (const [line, hits] of lineTicks) byLine.set(line, { text: lines[line - 1] ?? '', hits });
  }
  return [...byLine.entries()]
    .sort((a, b) => b[1].hits - a[1].hits)
    .slice(0, 5)
    .map(([line, { text, hits }]) => ({ line, source: text.trim().slice(0, 200), share: hits / total, hits }));
}
