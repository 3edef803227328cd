// The adapters and core pieces the benchmarks drive, bundled from bench/entry.ts into dist/bench.js.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = path.join(here, '..', 'dist', 'bench.js');

export async function loadBenchLib() {
  await esbuild.build({
    entryPoints: [path.join(here, 'entry.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    external: ['cpu-features', './crypto/build/Release/sshcrypto.node', 'esbuild'],
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(outfile);
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const cv = (xs) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)) / mean(xs);

/** A sandbox run that must pass: anything else stops the row with the sandbox's words. */
export async function passedRun(sandbox, job) {
  const result = await sandbox.run(job);
  if (result.kind !== 'passed') throw new Error(`${result.kind}: ${result.message ?? ''} ${result.output.slice(-500)}`);
  return result;
}

/**
 * What the loop decides on: `candidateSource` in the job's module, checked against
 * `referenceSource` on `recording` in one run (ABBA pairs). The speed factor (> 1: the candidate
 * is faster) and the acceptance rule's decision with the reference as the best so far.
 */
export async function sideBySideCheck(lib, sandbox, job, candidateSource, referenceSource, recording) {
  const files = job.files.map((f) => (f.path === job.modulePath ? { ...f, content: candidateSource } : f));
  const withReference = lib.withReferenceModule(files, job.modulePath, referenceSource);
  const r = await passedRun(sandbox, {
    ...job,
    files: withReference.files,
    mode: { kind: 'check', recording, reference: { modulePath: withReference.referencePath } },
  });
  if (!r.referenceMeasurement) throw new Error('the harness returned no side-by-side reference measurement');
  return {
    factor: lib.sideBySideSpeedFactor(r.measurement, r.referenceMeasurement),
    decision: lib.decideAcceptance('time', r.referenceMeasurement, r.measurement, r.referenceMeasurement).kind,
  };
}

/** A profile of work() (a bench fixture, ~1 ms a call) in `module`, with its tests in `testFile`. */
export function workJob(module, language = 'python', testFile = 'test_work.py') {
  // The module always has the name its tests import, whichever version of work() it holds.
  const modulePath = language === 'python' ? 'work.py' : 'work.mjs';
  return {
    language,
    files: [
      { path: modulePath, content: benchFixture(module) },
      { path: testFile, content: benchFixture(testFile) },
    ],
    modulePath,
    testPaths: [testFile],
    target: 'work',
    mode: { kind: 'profile' },
    limits: { timeoutMs: 120_000, memoryMb: 512 },
  };
}

export function benchFixture(name) {
  return readFileSync(path.join(here, 'fixtures', name), 'utf8');
}

/** Prints the report with what could not be measured, and ends: a report always exits 0. */
export function finishReport(out, problems) {
  if (problems.length > 0) out.push('', 'Not measured:', ...problems.map((p) => `  ${p}`));
  process.stdout.write(`${out.join('\n')}\n`);
  process.exit(0);
}
