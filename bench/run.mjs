// npm run bench: how fast and how steady the sandboxes are, in one run, side by side.
//  1. Per-run overhead: wall time of one trivial harness run (median of 15) through our warm
//     Docker sandbox, a fresh container per run (create → start → wait → logs → remove, the
//     sandbox design of the Afterburner paper), our local sandbox, and a bare python3 process;
//     plus the same run timed inside a running container, the floor of the Docker rows.
//  2. Measurement stability: 10 profiles of one ~1–2 ms/call function (5 passes over 20 000
//     ints): CV of their medians, spread of their peak memory, per backend; and the CV for a
//     JavaScript function of about the same cost.
//  3. Resolution: two implementations 1.2× apart (5 vs 6 passes over the data) must be ordered
//     right in each of 10 profile pairs (separate runs), and — what the loop actually decides on —
//     in each of 10 side-by-side checks (both versions measured in one run, ABBA pairs), where the
//     acceptance rule must accept the faster version against the slower one and reject the reverse.
// It is a report, not a test: it always exits 0 and says what it could not measure.
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
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

const OVERHEAD_RUNS = 15;
const loadAtStart = loadavg();
const PROFILES = Number(process.env.BENCH_PROFILES ?? 10);

const lib = await loadBenchLib();

const say = (line) => process.stderr.write(`${line}\n`);
const fmt = (x, digits = 1) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits));

const trivialJob = {
  language: 'python',
  files: [
    { path: 'trivial.py', content: fixture('trivial.py') },
    { path: 'test_trivial.py', content: fixture('test_trivial.py') },
  ],
  modulePath: 'trivial.py',
  testPaths: ['test_trivial.py'],
  target: 'double',
  mode: { kind: 'test' },
  limits: { timeoutMs: 60_000, memoryMb: 512 },
};
const jsWorkJob = workJob('work.mjs', 'javascript', 'work.test.mjs');

/**
 * Wall times of `OVERHEAD_RUNS` runs per backend, taken round-robin (one run of each backend per
 * round) so that load from the rest of the machine falls on all of them alike. Two warm-up rounds
 * are not counted.
 */
async function timeRoundRobin(backends) {
  const times = Object.fromEntries(Object.keys(backends).map((name) => [name, []]));
  for (let round = 0; round < OVERHEAD_RUNS + 2; round++) {
    for (const [name, once] of Object.entries(backends)) {
      if (!once) continue;
      const started = performance.now();
      let own;
      try {
        own = await once();
      } catch (err) {
        problems.push(`${name}: ${err.message}`);
        backends[name] = undefined;
        delete times[name];
        continue;
      }
      // A backend that times itself (from inside a container) returns its own figure.
      if (round >= 2) times[name].push(typeof own === 'number' ? own : performance.now() - started);
    }
    say(`  round ${round + 1}/${OVERHEAD_RUNS + 2}`);
  }
  return times;
}

/** The bare process: the same harness on the same files, no isolation at all. */
async function bareRun(job) {
  const prepared = lib.prepareJob(job);
  const dir = await lib.makeWorkDir('afterburner-bench-');
  try {
    await lib.writeJobFiles(dir, prepared.job);
    // The real interpreter (not a pyenv-style shim script), with the runner the sandboxes use
    // (they see no pytest installed in a home dir), so the same work is timed.
    const python = lib.probePython()?.executable ?? 'python3';
    const cmd = lib.harnessCommand('python', { harnessDir: lib.defaultHarnessDir(), memoryMb: 512, python });
    await new Promise((resolve, reject) => {
      const child = spawn(cmd.command, cmd.args, {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { AFTERBURNER_TEST_RUNNER: 'unittest' },
      });
      child.stdout.resume();
      child.stderr.resume();
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`bare python3 exited ${code}`))));
    });
  } finally {
    await lib.removeWorkDir(dir);
  }
}

/** The paper's design: a new container per run with the job bind-mounted, same limits as ours. */
async function freshContainerRun(docker, tag, job) {
  const prepared = lib.prepareJob(job);
  const dir = await lib.makeWorkDir('afterburner-bench-', true);
  try {
    await lib.writeJobFiles(dir, prepared.job);
    const cmd = lib.harnessCommand('python', { harnessDir: '/opt/afterburner/sandbox', memoryMb: 512 });
    const spec = lib.containerSpec(tag, 512, 'bench-fresh', [cmd.command, ...cmd.args]);
    const container = await docker.createContainer({
      ...spec,
      OpenStdin: false,
      AttachStdin: false,
      WorkingDir: '/job',
      HostConfig: {
        ...spec.HostConfig,
        Tmpfs: {},
        Binds: [`${dir}:/job:ro`],
        LogConfig: { Type: 'json-file', Config: {} },
      },
    });
    try {
      await container.start();
      const exit = await container.wait();
      await container.logs({ stdout: true, stderr: true });
      if (exit.StatusCode !== 0) throw new Error(`fresh container exited ${exit.StatusCode}`);
    } finally {
      await container.remove({ force: true });
    }
  } finally {
    await lib.removeWorkDir(dir);
  }
}

/**
 * The floor for the Docker rows: the same harness run timed from inside an already running
 * container (date before and after, in the container), so it holds no Docker cost at all.
 */
async function insideContainerTimer(docker, tag, job) {
  const prepared = lib.prepareJob(job);
  const dir = await lib.makeWorkDir('afterburner-bench-', true);
  await lib.writeJobFiles(dir, prepared.job);
  const spec = lib.containerSpec(tag, 512, 'bench-floor', ['sleep', 'infinity']);
  const container = await docker.createContainer({
    ...spec,
    OpenStdin: false,
    AttachStdin: false,
    HostConfig: { ...spec.HostConfig, Binds: [`${dir}:/job:ro`] },
  });
  await container.start();
  const cmd = lib.harnessCommand('python', { harnessDir: '/opt/afterburner/sandbox', memoryMb: 512 });
  const script = `cd /job; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 ))`;
  return {
    async once() {
      const exec = await container.exec({
        Cmd: ['sh', '-c', script, 'sh', cmd.command, ...cmd.args],
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = await exec.start({});
      let text = '';
      docker.modem.demuxStream(stream, { write: (b) => (text += b) }, { write: () => undefined });
      await new Promise((resolve) => stream.on('end', resolve));
      const micros = Number(text.trim());
      if (!Number.isFinite(micros) || micros <= 0) throw new Error(`in-container timing failed: ${text}`);
      return micros / 1000;
    },
    async close() {
      await container.remove({ force: true });
      await lib.removeWorkDir(dir);
    },
  };
}

async function profiles(label, sandbox) {
  say(`  ${label}: ${PROFILES} profiles of one function, then ${PROFILES} pairs 1.2× apart`);
  const medians = [];
  const peaks = [];
  for (let i = 0; i < PROFILES; i++) {
    const m = (await passedRun(sandbox, workJob('work.py'))).measurement;
    medians.push(m.runtimeMs.median);
    peaks.push(m.peakMemoryKb);
  }
  let ordered = 0;
  const ratios = [];
  for (let i = 0; i < PROFILES; i++) {
    const fast = (await passedRun(sandbox, workJob('work.py'))).measurement.runtimeMs.median;
    const slow = (await passedRun(sandbox, workJob('work_slower.py'))).measurement.runtimeMs.median;
    if (slow > fast) ordered++;
    ratios.push(slow / fast);
  }
  // The same repeatability for a JavaScript function of about the same cost.
  const jsMedians = [];
  for (let i = 0; i < PROFILES; i++) jsMedians.push((await passedRun(sandbox, jsWorkJob)).measurement.runtimeMs.median);
  // Side by side: the slower version is the best so far, the faster one the candidate, and back.
  const recording = (await passedRun(sandbox, workJob('work.py'))).recording;
  const sideBySide = (candidateModule, referenceModule) =>
    sideBySideCheck(
      lib,
      sandbox,
      workJob(candidateModule),
      fixture(candidateModule),
      fixture(referenceModule),
      recording,
    );
  let pairedOrdered = 0;
  let pairedRight = 0;
  const factors = [];
  for (let i = 0; i < PROFILES; i++) {
    const faster = await sideBySide('work.py', 'work_slower.py');
    const slower = await sideBySide('work_slower.py', 'work.py');
    if (faster.factor > 1 && slower.factor < 1) pairedOrdered++;
    if (faster.decision === 'accept' && slower.decision === 'reject') pairedRight++;
    factors.push(faster.factor);
  }
  return {
    medians,
    peaks,
    ordered,
    ratio: median(ratios),
    jsMedians,
    pairedOrdered,
    pairedRight,
    pairedRatio: median(factors),
  };
}

const stability = {};
const problems = [];

const connection = await lib.connectDocker({ timeoutMs: 3000 });
let docker;
let tag;
let base;
if (connection.kind === 'connected') {
  docker = connection.docker;
  base =
    process.env.AFTERBURNER_SANDBOX_BASE ??
    ((await lib.imageExists(docker, 'afterburner-base:bookworm')) ? 'afterburner-base:bookworm' : undefined);
  const outcome = await lib.ensureSandboxImage(docker, lib.sandboxImage('python'), base ? { base } : {});
  if (outcome.kind === 'failed') {
    problems.push(`Docker: image build failed: ${outcome.message}`);
    docker = undefined;
  } else {
    tag = outcome.tag;
  }
} else {
  problems.push(`Docker: ${connection.message}`);
}

say(`per-run overhead of a trivial job (${OVERHEAD_RUNS} rounds after 2 warm-ups)`);
const warm = docker ? lib.createDockerSandbox({ docker, ...(base ? { images: { base } } : {}) }) : undefined;
const local = lib.createLocalSandbox();
const localLabel = `local (${local
  .describe()
  .isolation.split(' (')[0]
  .replace(/^local: /, '')})`;
const floor = docker ? await insideContainerTimer(docker, tag, trivialJob) : undefined;
const FLOOR = 'python3 inside a running container';
const rows = await timeRoundRobin({
  [FLOOR]: floor && (() => floor.once()),
  'docker, warm (ours)': warm && (() => passedRun(warm, trivialJob)),
  'docker, fresh container per run': docker && (() => freshContainerRun(docker, tag, trivialJob)),
  [localLabel]: () => passedRun(local, trivialJob),
  'bare python3': () => bareRun(trivialJob),
});
for (const [label, sandbox] of [
  ['docker, warm (ours)', warm],
  [localLabel, local],
]) {
  if (!sandbox) continue;
  try {
    stability[label] = await profiles(label, sandbox);
  } catch (err) {
    problems.push(`${label} profiles: ${err.message}`);
  }
}
await floor?.close();
await warm?.dispose();
await local.dispose();

const out = [];
const load = (l) => l.map((x) => x.toFixed(1)).join(' / ');
out.push(
  `Machine: ${cpus().length} cores, load average (1/5/15 min) ${load(loadAtStart)} at start, ${load(loadavg())} at end`,
);
out.push('');
const m = (name) => (rows[name] ? median(rows[name]) : undefined);
const bare = m('bare python3');
const inside = m(FLOOR);
// Docker rows are compared with the same run inside a container, the others with the bare process.
const floorOf = (name) => (name.startsWith('docker') ? inside : bare);
out.push(`Per-run overhead: wall time of one trivial harness run (ms; median of ${OVERHEAD_RUNS}, round-robin)`);
out.push(
  `  ${'backend'.padEnd(36)} ${'median'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'overhead'.padStart(9)}`,
);
for (const [name, times] of Object.entries(rows)) {
  const over = name === FLOOR || name === 'bare python3' ? '' : fmt(median(times) - floorOf(name));
  out.push(
    `  ${name.padEnd(36)} ${fmt(median(times)).padStart(8)} ${fmt(Math.min(...times)).padStart(8)} ${fmt(Math.max(...times)).padStart(8)} ${over.padStart(9)}`,
  );
}
out.push(`  (overhead = median − the same harness run without the backend: inside a running container for`);
out.push(`   the Docker rows, as a bare process for the local row)`);
const warmMs = m('docker, warm (ours)');
const freshMs = m('docker, fresh container per run');
const warmOver = warmMs - inside;
const freshOver = freshMs - inside;
const overRatio = freshOver / warmOver;
const localVsBare = m(localLabel) / bare;
out.push('');
out.push(`  fresh container / warm docker, wall time:  ${fmt(freshMs / warmMs, 2)}×`);
out.push(
  `  fresh container / warm docker, overhead:   ${warmOver > 0 ? `${fmt(overRatio, 1)}×` : 'warm overhead within noise'} (target ≥ 4×: ${warmOver <= 0 || overRatio >= 4 ? 'met' : 'NOT met'})`,
);
out.push(
  `  local sandbox / bare python3, wall time:   ${fmt(localVsBare, 2)}× (target ≤ 1.5×: ${localVsBare <= 1.5 ? 'met' : 'NOT met'})`,
);
out.push('');
out.push(`Measurement stability: ${PROFILES} profiles of work(range(20000)), one recorded call`);
out.push(
  `  ${'backend'.padEnd(34)} ${'median ms'.padStart(10)} ${'CV of medians'.padStart(14)} ${'peak kB min–max'.padStart(18)} ${'1.2× ordered'.padStart(13)} ${'seen ratio'.padStart(11)}`,
);
for (const [name, s] of Object.entries(stability)) {
  const peak = `${fmt(Math.min(...s.peaks), 0)}–${fmt(Math.max(...s.peaks), 0)}`;
  out.push(
    `  ${name.padEnd(34)} ${fmt(median(s.medians), 3).padStart(10)} ${`${fmt(cv(s.medians) * 100, 2)} %`.padStart(14)} ${peak.padStart(18)} ${`${s.ordered}/${PROFILES}`.padStart(13)} ${`${fmt(s.ratio, 3)}×`.padStart(11)}`,
  );
}
out.push(`  JavaScript, ${PROFILES} profiles of work(data) (five passes of squares over 20 000 numbers):`);
for (const [name, s] of Object.entries(stability)) {
  out.push(
    `  ${name.padEnd(34)} ${fmt(median(s.jsMedians), 3).padStart(10)} ${`${fmt(cv(s.jsMedians) * 100, 2)} %`.padStart(14)}`,
  );
}
out.push('');
out.push(`Resolution side by side: ${PROFILES} checks each way, faster vs slower measured in one run (ABBA pairs)`);
out.push(
  `  ${'backend'.padEnd(34)} ${'1.2× ordered'.padStart(13)} ${'decided right'.padStart(14)} ${'seen ratio'.padStart(11)}`,
);
for (const [name, s] of Object.entries(stability)) {
  out.push(
    `  ${name.padEnd(34)} ${`${s.pairedOrdered}/${PROFILES}`.padStart(13)} ${`${s.pairedRight}/${PROFILES}`.padStart(14)} ${`${fmt(s.pairedRatio, 3)}×`.padStart(11)}`,
  );
}
out.push(
  '  (decided right = the acceptance rule accepts the faster version against the slower and rejects the reverse)',
);
finishReport(out, problems);
