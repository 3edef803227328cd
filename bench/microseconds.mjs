// npm run bench, part 2: functions of a few microseconds a call under small tests, as real projects
// have them, in Python and JavaScript, per sandbox backend:
//  1. Repeatability: the CV of the per-call median over separate profiles on a quiet machine and
//     with a CPU hog running beside them; the spread of their peak memory and memory-time integral.
//  2. Truth: a pair ~1.4× apart, as separate profiles and side by side, against a plain timing loop
//     (timeit / a performance.now() loop) run on the host over the same inputs.
//  3. No false difference: two equivalent versions (another hand, the same algorithm), side by side
//     and as separate profiles, never more than 10 % apart.
//  4. Decisions under load: a 1.2× pair (the bench's work fixtures, ~1 ms a call) side by side with
//     two CPU hogs beside the run, accepted one way and rejected the other, each of the checks.
// It is a report, not a test: it always exits 0 and says what it could not measure.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import {
  benchFixture as fixture,
  cv,
  finishReport,
  loadBenchLib,
  median,
  passedRun,
  sideBySideCheck,
  workJob,
} from './benchLib.mjs';

const PROFILES = Number(process.env.BENCH_PROFILES ?? 10);
const lib = await loadBenchLib();
const say = (line) => process.stderr.write(`${line}\n`);
const micro = (name) => fixture(`micro/${name}`);
const spread = (xs) => Math.max(...xs) / Math.min(...xs) - 1;
const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : 'n/a');
const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const verdict = (ok) => (ok ? 'met' : 'NOT met');
const problems = [];
const loadAtStart = loadavg();

const LANGUAGES = {
  python: {
    module: 'gaps.py',
    test: 'test_gaps.py',
    target: 'mean_gap',
    versions: { original: 'gaps.py', slower: 'gaps_slower.py', same: 'gaps_same.py' },
    plain: (dir) => [
      lib.probePython()?.executable ?? 'python3',
      [path.join(dir, 'plain_loop.py'), 'gaps', 'gaps_slower', 'gaps_same'],
    ],
  },
  javascript: {
    module: 'gaps.mjs',
    test: 'gaps.test.mjs',
    target: 'meanGap',
    versions: { original: 'gaps.mjs', slower: 'gaps_slower.mjs', same: 'gaps_same.mjs' },
    plain: (dir) => [process.execPath, [path.join(dir, 'plainLoop.mjs'), 'gaps', 'gaps_slower', 'gaps_same']],
  },
};

function profileJob(language, version) {
  const l = LANGUAGES[language];
  return {
    language,
    files: [
      { path: l.module, content: micro(l.versions[version]) },
      { path: l.test, content: micro(l.test) },
    ],
    modulePath: l.module,
    testPaths: [l.test],
    target: l.target,
    mode: { kind: 'profile' },
    limits: { timeoutMs: 120_000, memoryMb: 512 },
  };
}

/**
 * A profile's per-call figure, ms: the 10th percentile of its samples, what separate profiles
 * compare by (RuntimeStats.p10 says why); the median beside it for the record.
 */
const perCall = (m) => (m.runtimeMs.p10 ?? m.runtimeMs.median) / m.calls;
const perCallMedian = (m) => m.runtimeMs.median / m.calls;

/** CPU-bound processes beside the measurement, until stopped. */
function startHogs(count) {
  const hogs = Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  return () => {
    for (const hog of hogs) hog.kill('SIGKILL');
  };
}

/** The plain loop's ms per call for original, slower and same, run on the host in a folder of the fixtures. */
async function plainLoop(language) {
  const dir = await mkdtemp(path.join(tmpdir(), 'afterburner-bench-plain-'));
  try {
    for (const name of [
      'gaps.py',
      'gaps_slower.py',
      'gaps_same.py',
      'plain_loop.py',
      'gaps.mjs',
      'gaps_slower.mjs',
      'gaps_same.mjs',
      'plainLoop.mjs',
    ])
      await writeFile(path.join(dir, name), micro(name));
    const [command, args] = LANGUAGES[language].plain(dir);
    const text = await new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`plain loop exited ${code}`))));
    });
    const [original, slower, same] = text.trim().split(/\s+/).map(Number);
    return { original, slower, same };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function microRows(sandbox, language) {
  const l = LANGUAGES[language];
  const job = profileJob(language, 'original');
  say(
    `  ${language}: ${PROFILES} profiles quiet, ${PROFILES} with a CPU hog, ${PROFILES} pairs, ${PROFILES} checks each`,
  );
  const quiet = [];
  for (let i = 0; i < PROFILES; i++) quiet.push((await passedRun(sandbox, job)).measurement);
  const stop = startHogs(1);
  const busy = [];
  try {
    for (let i = 0; i < PROFILES; i++) busy.push((await passedRun(sandbox, job)).measurement);
  } finally {
    stop();
  }
  // Separate profiles, alternated: original, slower, same.
  const pairRatios = [];
  const sameRatios = [];
  for (let i = 0; i < PROFILES; i++) {
    const original = perCall((await passedRun(sandbox, job)).measurement);
    pairRatios.push(perCall((await passedRun(sandbox, profileJob(language, 'slower'))).measurement) / original);
    sameRatios.push(perCall((await passedRun(sandbox, profileJob(language, 'same'))).measurement) / original);
  }
  const recording = (await passedRun(sandbox, job)).recording;
  const pairFactors = [];
  const sameFactors = [];
  for (let i = 0; i < PROFILES; i++) {
    pairFactors.push(
      (await sideBySideCheck(lib, sandbox, job, micro(l.versions.original), micro(l.versions.slower), recording))
        .factor,
    );
    sameFactors.push(
      (await sideBySideCheck(lib, sandbox, job, micro(l.versions.same), micro(l.versions.original), recording)).factor,
    );
  }
  const plain = await plainLoop(language);
  return {
    perCallMs: median(quiet.map(perCall)),
    calls: quiet[0].calls,
    cvQuiet: cv(quiet.map(perCall)),
    cvBusy: cv(busy.map(perCall)),
    cvQuietMedian: cv(quiet.map(perCallMedian)),
    cvBusyMedian: cv(busy.map(perCallMedian)),
    peakKb: quiet.map((m) => m.peakMemoryKb),
    integralKbMs: quiet.map((m) => m.integralKbMs),
    plainRatio: plain.slower / plain.original,
    plainSame: plain.same / plain.original,
    plainPerCallMs: plain.original,
    pairRatio: median(pairRatios),
    pairFactor: median(pairFactors),
    sameWorst: Math.max(...sameRatios.map((r) => Math.abs(r - 1))),
    sameFactorWorst: Math.max(...sameFactors.map((f) => Math.abs(f - 1))),
  };
}

/** The 1.2× work pair side by side, with two CPU hogs running: decided right each way? */
async function decisionsUnderLoad(sandbox) {
  const job = workJob('work.py');
  const recording = (await passedRun(sandbox, job)).recording;
  say(`  ${PROFILES} checks each way with two CPU hogs`);
  const stop = startHogs(2);
  let right = 0;
  const factors = [];
  try {
    for (let i = 0; i < PROFILES; i++) {
      const faster = await sideBySideCheck(lib, sandbox, job, fixture('work.py'), fixture('work_slower.py'), recording);
      const slower = await sideBySideCheck(lib, sandbox, job, fixture('work_slower.py'), fixture('work.py'), recording);
      if (faster.decision === 'accept' && slower.decision === 'reject') right++;
      factors.push(faster.factor);
    }
  } finally {
    stop();
  }
  return { right, factor: median(factors) };
}

// BENCH_MICRO_BACKENDS=local leaves Docker out (each backend takes ~10 minutes at 10 profiles).
const wanted = (process.env.BENCH_MICRO_BACKENDS ?? 'docker,local').split(',');
const backends = wanted.includes('local') ? [['local', lib.createLocalSandbox()]] : [];
const connection = wanted.includes('docker') ? await lib.connectDocker({ timeoutMs: 3000 }) : undefined;
if (connection === undefined) {
  // left out on purpose
} else if (connection.kind === 'connected') {
  const base =
    process.env.AFTERBURNER_SANDBOX_BASE ??
    ((await lib.imageExists(connection.docker, 'afterburner-base:bookworm')) ? 'afterburner-base:bookworm' : undefined);
  backends.unshift([
    'docker',
    lib.createDockerSandbox({ docker: connection.docker, ...(base ? { images: { base } } : {}) }),
  ]);
} else {
  problems.push(`Docker: ${connection.message}`);
}

const results = [];
for (const [backend, sandbox] of backends) {
  say(`${backend} sandbox`);
  for (const language of Object.keys(LANGUAGES)) {
    try {
      results.push({ backend, language, ...(await microRows(sandbox, language)) });
    } catch (err) {
      problems.push(`${backend} ${language}: ${err.message}`);
    }
  }
  try {
    results.push({ backend, language: 'load', ...(await decisionsUnderLoad(sandbox)) });
  } catch (err) {
    problems.push(`${backend} decisions under load: ${err.message}`);
  }
  await sandbox.dispose();
}

const out = [];
const load = (l) => l.map((x) => x.toFixed(1)).join(' / ');
out.push(
  `Microsecond functions: ${cpus().length} cores, load ${load(loadAtStart)} at start, ${load(loadavg())} at end`,
);
out.push('');
out.push(
  `Repeatability: ${PROFILES} profiles of mean_gap/meanGap (3 calls of 10–120 items), per call: the 10th percentile (the median's CV beside it)`,
);
out.push(
  `  ${'backend, language'.padEnd(22)} ${'µs/call'.padStart(8)} ${'CV quiet'.padStart(9)} ${'CV 1 hog'.padStart(9)} ${'median: quiet, hog'.padStart(19)} ${'peak kB min–max'.padStart(16)} ${'spread'.padStart(7)} ${'integral spread'.padStart(16)}`,
);
for (const r of results.filter((r) => r.language !== 'load')) {
  out.push(
    `  ${`${r.backend}, ${r.language}`.padEnd(22)} ${fmt(r.perCallMs * 1000).padStart(8)} ${pct(r.cvQuiet).padStart(9)} ${pct(r.cvBusy).padStart(9)} ${`${pct(r.cvQuietMedian)}, ${pct(r.cvBusyMedian)}`.padStart(19)} ${`${fmt(Math.min(...r.peakKb), 1)}–${fmt(Math.max(...r.peakKb), 1)}`.padStart(16)} ${pct(spread(r.peakKb)).padStart(7)} ${pct(spread(r.integralKbMs)).padStart(16)}`,
  );
}
out.push(
  `  targets: CV quiet ≤ 3 % (${verdict(results.every((r) => r.language === 'load' || r.cvQuiet <= 0.03))}), with a hog ≤ 5 % (${verdict(results.every((r) => r.language === 'load' || r.cvBusy <= 0.05))}); peak and integral within ±10 % (spread ≤ 20 %)`,
);
out.push('');
out.push(`Truth: the slower version against the original (plain loop = timeit / performance.now() loop on the host)`);
out.push(
  `  ${'backend, language'.padEnd(22)} ${'plain'.padStart(7)} ${'profiles'.padStart(9)} ${'side by side'.padStart(13)} ${'within ±15 %'.padStart(13)} ${'equivalent: worst'.padStart(18)} ${'≤ 10 %'.padStart(7)}`,
);
for (const r of results.filter((r) => r.language !== 'load')) {
  const within = Math.abs(r.pairRatio / r.plainRatio - 1) <= 0.15 && Math.abs(r.pairFactor / r.plainRatio - 1) <= 0.15;
  const worst = Math.max(r.sameWorst, r.sameFactorWorst);
  out.push(
    `  ${`${r.backend}, ${r.language}`.padEnd(22)} ${`${fmt(r.plainRatio)}×`.padStart(7)} ${`${fmt(r.pairRatio)}×`.padStart(9)} ${`${fmt(r.pairFactor)}×`.padStart(13)} ${verdict(within).padStart(13)} ${pct(worst).padStart(18)} ${verdict(worst <= 0.1).padStart(7)}`,
  );
}
out.push(
  "  (profiles = median ratio of separate profiles' 10th percentiles; side by side = the check's speed factor; equivalent:",
);
out.push("   the largest difference between the original and another hand's version over all profiles and checks)");
out.push('');
out.push(
  `Decisions under load: work() 1.2× apart side by side, two CPU hogs beside each run, ${PROFILES} checks each way`,
);
for (const r of results.filter((r) => r.language === 'load'))
  out.push(
    `  ${r.backend.padEnd(22)} decided right ${r.right}/${PROFILES} (${verdict(r.right === PROFILES)}), seen ratio ${fmt(r.factor, 3)}×`,
  );
finishReport(out, problems);
