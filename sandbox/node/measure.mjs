// Measurement on replayed calls. Runtime: warm-up, a loop count calibrated so one sample lasts
// ≥ minSampleMs, samples until budgetMs (at least 5, at most maxSamples). Fresh deep copies of
// the inputs for every round of a sample are made BEFORE its clock starts. V8's GC cannot be
// switched off, so instead gc() runs before every sample (needs --expose-gc), which keeps
// collections caused by earlier samples out of the next one. Math.random is reseeded per round.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector';
import fs from 'node:fs';
import { reseed } from './seededRandom.mjs';

const now = () => process.hrtime.bigint();
const msSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** A replay round: runs every prepared call once; exceptions are part of the recorded behaviour. */
export function makeRound(fn, anyAsync) {
  if (!anyAsync) {
    return (prepared) => {
      reseed();
      for (let i = 0; i < prepared.length; i++) {
        const p = prepared[i];
        try {
          fn.apply(p.thisArg, p.args);
        } catch {
          // replayed exceptions are expected behaviour
        }
      }
    };
  }
  return async (prepared) => {
    reseed();
    for (const p of prepared) {
      try {
        await fn.apply(p.thisArg, p.args);
      } catch {
        // replayed exceptions are expected behaviour
      }
    }
  };
}

export function collectGarbage() {
  // Twice: V8 frees ArrayBuffer backing stores (counted in `external`) only once a second
  // collection finishes the first one's sweeping, so one gc() leaves the old buffers in the baseline.
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { median, min: sorted[0], mean, cv: mean > 0 ? Math.sqrt(variance) / mean : 0, samples: n, values };
}

/**
 * Times rounds. `prepare()` returns fresh inputs for one round; `inputBytes` (size of one round's
 * recorded inputs) caps the loop count so the prepared copies stay within ~64 MB.
 */
export async function measureRuntime({ prepare, round, budgetMs = 1500, minSampleMs = 5, maxSamples = 60, inputBytes = 0 }) {
  const warmupMs = Math.min(Math.max(budgetMs * 0.1, 50), 300);
  const warmStart = now();
  let warmRounds = 0;
  while (warmRounds < 2 || msSince(warmStart) < warmupMs) {
    const p = prepare();
    await round(p);
    warmRounds++;
    if (msSince(warmStart) > 5 * warmupMs && warmRounds >= 1) break;
  }
  const calib = prepare();
  collectGarbage();
  const c0 = now();
  await round(calib);
  const roundMs = Math.max(msSince(c0), 1e-4);
  const memoryCap = inputBytes > 0 ? Math.max(1, Math.floor((64 * 1024 * 1024) / inputBytes)) : 100_000;
  const loops = Math.max(1, Math.min(Math.ceil(minSampleMs / roundMs), 100_000, memoryCap));

  const values = [];
  const start = now();
  while (values.length < maxSamples && (values.length < 5 || msSince(start) < budgetMs)) {
    const batch = new Array(loops);
    for (let i = 0; i < loops; i++) batch[i] = prepare();
    collectGarbage();
    const t0 = now();
    for (let i = 0; i < loops; i++) await round(batch[i]);
    values.push(Number(now() - t0) / 1e6 / loops);
  }
  return { stats: summarize(values), loops, roundMs };
}

/** Memory in use on this thread, bytes: V8 heap + external (which includes ArrayBuffers). */
function memoryNow() {
  const u = process.memoryUsage();
  return u.heapUsed + u.external;
}

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

/** Traces `repeat` back-to-back rounds per window (fresh inputs, gc() before each window). */
async function traceWindows({ prepare, round, repeat, minCoveredMs, maxWindows, samplesFrom }) {
  const windows = [];
  let covered = 0;
  const started = now();
  while (windows.length === 0 || (covered < minCoveredMs && windows.length < maxWindows && msSince(started) < 3000)) {
    const inputs = Array.from({ length: repeat }, prepare);
    collectGarbage();
    const baseline = memoryNow();
    const tStart = Number(now());
    for (const p of inputs) await round(p);
    const tEnd = Number(now());
    windows.push({ tStart, tEnd, baseline, after: memoryNow() });
    covered += (tEnd - tStart) / 1e6;
  }
  const samples = await samplesFrom();
  const peaks = [];
  const integrals = [];
  let sampleCount = 0;
  let j = 0;
  for (const w of windows) {
    const points = [[w.tStart, 0]];
    while (j < samples.times.length && samples.times[j] < w.tStart) j++;
    while (j < samples.times.length && samples.times[j] <= w.tEnd) {
      points.push([samples.times[j], Math.max(0, samples.values[j] - w.baseline)]);
      sampleCount++;
      j++;
    }
    points.push([w.tEnd, Math.max(0, w.after - w.baseline)]);
    let peak = 0;
    let integral = 0;
    for (let i = 0; i < points.length; i++) {
      peak = Math.max(peak, points[i][1]);
      if (i > 0) integral += ((points[i - 1][1] + points[i][1]) / 2) * (points[i][0] - points[i - 1][0]);
    }
    peaks.push(peak / 1024);
    integrals.push(integral / 1024 / 1e6 / repeat); // bytes·ns → kB·ms, per round
  }
  peaks.sort((a, b) => a - b);
  return {
    peakKb: peaks[Math.floor((peaks.length - 1) / 2)],
    integralKbMs: integrals.reduce((s, v) => s + v, 0) / integrals.length,
    hz: covered > 0 ? sampleCount / (covered / 1000) : 0,
  };
}

/**
 * Peak memory and memory-time integral of a replay round, from separate tracing passes.
 * Formula: m(t) = heapUsed + external − baseline (baseline measured after gc() right before the
 * window), sampled by the tracer at ~4 kHz, plus m = 0 at the window's start and the value at its
 * end; integral = Σ (m_i + m_{i+1}) / 2 · (t_{i+1} − t_i) in kB·ms.
 * Peak: single-round windows (repeated up to ~25 ms of round time), median of the per-window maxima.
 * Integral: when a round is shorter than 2 ms, too short for ≥ 1 kHz sampling, each window runs
 * R = ⌈2 ms / round⌉ rounds back to back and the window's integral is divided by R.
 */
export async function traceMemory({ prepare, round, notes, roundMs = 2 }) {
  let tracer;
  try {
    tracer = await startTracer(250);
  } catch (e) {
    notes.push(`memory sampling unavailable (${e.message}); peak and integral come from round boundaries only`);
  }
  const none = async () => ({ times: [], values: [] });
  const repeat = roundMs < 2 ? Math.min(1000, Math.ceil(2 / Math.max(roundMs, 1e-4))) : 1;
  const single = await traceWindows({ prepare, round, repeat: 1, minCoveredMs: 25, maxWindows: repeat > 1 ? 20 : 200, samplesFrom: repeat > 1 ? none : tracer ? () => tracer.stop() : none });
  if (repeat === 1) {
    return { peakMemoryKb: single.peakKb, integralKbMs: single.integralKbMs, integralSampleHz: single.hz };
  }
  const repeated = await traceWindows({ prepare, round, repeat, minCoveredMs: 25, maxWindows: 50, samplesFrom: tracer ? () => tracer.stop() : none });
  return { peakMemoryKb: single.peakKb, integralKbMs: repeated.integralKbMs, integralSampleHz: repeated.hz };
}

function post(session, method, params) {
  return new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
}

/**
 * Hot lines of the module's own code: the V8 sampling profiler at a 100 µs interval over a few
 * replay rounds; self ticks per source line (positionTicks) of every function defined in the
 * module file, as a share of all samples taken inside those functions (callees included).
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
    if (here) for (const { line, ticks } of node.positionTicks ?? []) lineTicks.set(line, (lineTicks.get(line) ?? 0) + ticks);
    for (const c of node.children ?? []) {
      const child = byId.get(c);
      if (child) visit(child, counted);
    }
  };
  const root = profile.nodes[0];
  if (root) visit(root, false);
  if (total === 0) return [];
  const lines = fs.readFileSync(moduleFile, 'utf8').split('\n');
  return [...lineTicks.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([line, hits]) => ({ line, source: (lines[line - 1] ?? '').trim().slice(0, 200), share: hits / total, hits }));
}
