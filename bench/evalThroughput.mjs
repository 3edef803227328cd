// Eval throughput: the fixture problem set (replicated to 20 problems) scored through the real
// local sandbox with 1 and then 2 workers; prints problems per second and the ratio (target ≥ 1.7×
// on a 2-core machine). Run after `npm run build`: node bench/evalThroughput.mjs [--copies N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('evalThroughput: dist/cli.js is missing; run `npm run build` first.');
  process.exit(2);
}
const copiesArg = process.argv.indexOf('--copies');
const copies = copiesArg > 0 ? Number(process.argv[copiesArg + 1]) : 4;

const fixtures = path.join(root, 'test', 'fixtures', 'eval');
const work = mkdtempSync(path.join(tmpdir(), 'afterburner-bench-eval-'));
const problems = readFileSync(path.join(fixtures, 'problems.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const answers = readFileSync(path.join(fixtures, 'answers.fast.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const idOf = (p) => String(p.id ?? p.problem_id);
const problemLines = [];
const answerLines = [];
for (let c = 0; c < copies; c++) {
  for (const p of problems) {
    const id = `${idOf(p)}#${c}`;
    problemLines.push(JSON.stringify('problem_id' in p ? { ...p, problem_id: id } : { ...p, id }));
  }
  for (const a of answers) answerLines.push(JSON.stringify({ id: `${a.id}#${c}`, code: a.code }));
}
const problemsFile = path.join(work, 'problems.jsonl');
const answersFile = path.join(work, 'answers.jsonl');
writeFileSync(problemsFile, problemLines.join('\n') + '\n');
writeFileSync(answersFile, answerLines.join('\n') + '\n');

function run(workers) {
  const started = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      cli,
      'eval',
      problemsFile,
      '--answers',
      answersFile,
      '--sandbox',
      'local',
      '--workers',
      String(workers),
      '--budget-ms',
      '300',
      '--fresh',
      '--results',
      path.join(work, `results-${workers}.jsonl`),
      '--json',
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) {
    console.error(r.stderr);
    throw new Error(`eval with ${workers} worker(s) exited ${r.status}`);
  }
  const report = JSON.parse(r.stdout);
  return { seconds, problems: report.problems, perSecond: report.problems / seconds, passAt1: report.pass_at_1 };
}

try {
  const one = run(1);
  const two = run(2);
  const ratio = two.perSecond / one.perSecond;
  console.log(`eval throughput, ${one.problems} problems, local sandbox:`);
  console.log(
    `  1 worker : ${one.seconds.toFixed(1)} s, ${one.perSecond.toFixed(2)} problems/s (pass@1 ${one.passAt1})`,
  );
  console.log(
    `  2 workers: ${two.seconds.toFixed(1)} s, ${two.perSecond.toFixed(2)} problems/s (pass@1 ${two.passAt1})`,
  );
  console.log(`  ratio 2/1: ${ratio.toFixed(2)}× (target ≥ 1.7×) ${ratio >= 1.7 ? 'ok' : 'BELOW TARGET'}`);
  process.exitCode = ratio >= 1.7 ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
