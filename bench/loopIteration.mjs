// The loop's own cost: wall time per iteration of `optimize()` (tests, differential check and
// side-by-side measurement of each candidate) with an instant in-process model, so what is timed is
// everything but the model. Warm Docker sandbox (the target: ≤ 2 s per iteration for a typical
// function) and the local sandbox, on the bundled example with 2 candidates per iteration.
// Run after `npm run build` (npm run bench does). A report: always exits 0.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadBenchLib } from './benchLib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3);
const lib = await loadBenchLib();
const example = path.join(root, 'examples', 'python-common-items');
const read = (name) => readFileSync(path.join(example, name), 'utf8');

// Correct candidates of different speed, so every iteration measures two passing candidates.
const candidates = [
  'def common_items(first, second):\n    wanted = set(second)\n    seen = set()\n    result = []\n    for item in first:\n        if item in wanted and item not in seen:\n            seen.add(item)\n            result.append(item)\n    return result',
  'def common_items(first, second):\n    wanted = set(second)\n    result = []\n    for item in first:\n        if item in wanted and item not in result:\n            result.append(item)\n    return result',
  'def common_items(first, second):\n    wanted = frozenset(second)\n    return list(dict.fromkeys(x for x in first if x in wanted))',
  'def common_items(first, second):\n    wanted = set(second)\n    return [x for i, x in enumerate(first) if x in wanted and x not in first[:i]]',
  'def common_items(first, second):\n    wanted = set(second)\n    out = {}\n    for x in first:\n        if x in wanted:\n            out.setdefault(x, None)\n    return list(out)',
  'def common_items(first, second):\n    s = set(second)\n    seen = set()\n    return [x for x in first if x in s and not (x in seen or seen.add(x))]',
];
const instantModel = () => {
  let n = 0;
  return {
    describe: () => 'instant in-process model',
    complete: async () => ({
      kind: 'ok',
      model: 'instant',
      text: '```python\n' + candidates[n++ % candidates.length] + '\n```',
    }),
  };
};

async function timeLoop(label, sandbox) {
  const request = {
    language: lib.languageOf('python'),
    files: [
      { path: 'inventory.py', content: read('inventory.py') },
      { path: 'test_inventory.py', content: read('test_inventory.py') },
    ],
    modulePath: 'inventory.py',
    testPaths: ['test_inventory.py'],
    target: 'common_items',
    goal: 'time',
    iterations: ITERATIONS,
    candidates: 2,
    limits: { timeoutMs: 60_000, memoryMb: 512 },
    measure: { hotLines: true },
  };
  const perIteration = [];
  let baselineMs;
  let started = performance.now();
  let iterationStart;
  let outcome;
  for await (const event of lib.optimize({ sandbox, model: instantModel() }, request)) {
    if (event.type === 'baseline') baselineMs = performance.now() - started;
    if (event.type === 'iterationStarted') iterationStart = performance.now();
    if (event.type === 'iterationDone') perIteration.push(performance.now() - iterationStart);
    if (event.type === 'finished')
      outcome = `${event.outcome}${event.best ? `, best ×${event.best.speedup.toFixed(2)}` : ''}`;
  }
  started = undefined;
  return { label, baselineMs, perIteration, outcome };
}

const rows = [];
const problems = [];
const connection = await lib.connectDocker({ timeoutMs: 3000 });
if (connection.kind === 'connected') {
  const base =
    process.env.AFTERBURNER_SANDBOX_BASE ??
    ((await lib.imageExists(connection.docker, 'afterburner-base:bookworm')) ? 'afterburner-base:bookworm' : undefined);
  const docker = lib.createDockerSandbox({ docker: connection.docker, ...(base ? { images: { base } } : {}) });
  try {
    await timeLoop('warm-up', docker); // the first run builds/starts the warm container
    rows.push(await timeLoop('docker, warm', docker));
  } catch (err) {
    problems.push(`Docker: ${err.message}`);
  } finally {
    await docker.dispose();
  }
} else {
  problems.push(`Docker: ${connection.message}`);
}
const local = lib.createLocalSandbox();
try {
  rows.push(await timeLoop('local', local));
} finally {
  await local.dispose();
}

const fmt = (ms) => (ms / 1000).toFixed(2);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const out = [
  `Loop cost per iteration (2 candidates, each: tests + differential check + side-by-side timing; model time excluded)`,
];
out.push(
  `  ${'sandbox'.padEnd(14)} ${'baseline s'.padStart(11)} ${'per iteration s (each)'.padStart(28)} ${'median'.padStart(7)}  outcome`,
);
for (const r of rows) {
  out.push(
    `  ${r.label.padEnd(14)} ${fmt(r.baselineMs).padStart(11)} ${r.perIteration.map(fmt).join(' / ').padStart(28)} ${fmt(median(r.perIteration)).padStart(7)}  ${r.outcome}`,
  );
}
const dockerRow = rows.find((r) => r.label === 'docker, warm');
if (dockerRow)
  out.push(
    `  warm Docker: ${fmt(median(dockerRow.perIteration))} s per iteration (target ≤ 2 s: ${median(dockerRow.perIteration) <= 2000 ? 'met' : 'NOT met'})`,
  );
for (const p of problems) out.push(`  not measured: ${p}`);
process.stdout.write(out.join('\n') + '\n');
process.exit(0);
