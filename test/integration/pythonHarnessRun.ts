// Runs sandbox/python/harness.py the way the sandboxes do — `python3 -I harness.py job.json` with a
// fresh work dir as cwd — on a fixture folder of test/fixtures/python, and reads its report with the
// host's own parser.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findHarnessReport } from '../../src/adapters/harnessReport';
import { runChild } from './childProcess';
import type { HarnessJob, HarnessReport, Measurement, Recording } from '../../src/core/sandboxTypes';

const repo = path.resolve(__dirname, '../..');
export const pythonHarness = path.join(repo, 'sandbox/python/harness.py');
const fixtures = path.join(repo, 'test/fixtures/python');

export interface PythonRun {
  readonly fixture: string;
  readonly modulePath: string;
  readonly testPaths: readonly string[];
  readonly target: string;
  readonly mode?: HarnessJob['mode'];
  readonly measure?: HarnessJob['measure'];
  /** A file of the fixture copied over `modulePath` (a candidate replaces the user's module). */
  readonly candidate?: string;
  /** More copies inside the work dir: destination path → fixture file (e.g. a reference module). */
  readonly copies?: Readonly<Record<string, string>>;
  /** `unittest` runs the tests without pytest even where the interpreter has it. */
  readonly runner?: 'auto' | 'unittest';
}

export interface PythonResult {
  readonly report: HarnessReport;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the harness without blocking the test worker (a worker that waits on a long synchronous
 * child cannot answer the runner, which gives up on it once the machine is busy).
 */
export async function runPythonHarness(run: PythonRun): Promise<PythonResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ab-py-harness-'));
  try {
    cpSync(path.join(fixtures, run.fixture), dir, { recursive: true });
    for (const [to, from] of Object.entries(run.copies ?? {}))
      copyFileSync(path.join(fixtures, run.fixture, from), path.join(dir, to));
    if (run.candidate) copyFileSync(path.join(fixtures, run.fixture, run.candidate), path.join(dir, run.modulePath));
    const job: HarnessJob = {
      language: 'python',
      modulePath: run.modulePath,
      testPaths: run.testPaths,
      target: run.target,
      mode: run.mode ?? { kind: 'profile' },
      measure: run.measure ?? { budgetMs: 200 },
      seed: 7,
    };
    writeFileSync(path.join(dir, 'job.json'), JSON.stringify(job));
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...(run.runner === 'unittest' ? { AFTERBURNER_TEST_RUNNER: 'unittest' } : {}),
    };
    const proc = await runChild('python3', ['-I', pythonHarness, 'job.json'], { cwd: dir, env }, 100_000);
    if (proc.status !== 0)
      throw new Error(`harness exited ${String(proc.status)} ${String(proc.signal)}: ${proc.stderr.slice(-2000)}`);
    const report = findHarnessReport(proc.stdout);
    if (!report) throw new Error(`no report in: ${proc.stdout.slice(-2000)}`);
    return { report, stdout: proc.stdout, stderr: proc.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type PassedReport = Extract<HarnessReport, { kind: 'passed' }>;
export type FailedReport = Extract<HarnessReport, { kind: 'failed' }>;

export function expectPassed(report: HarnessReport): PassedReport {
  if (report.kind !== 'passed') throw new Error(`expected passed, got ${JSON.stringify(report).slice(0, 2000)}`);
  return report;
}

export function expectFailed(report: HarnessReport): FailedReport {
  if (report.kind !== 'failed') throw new Error(`expected failed, got ${JSON.stringify(report).slice(0, 2000)}`);
  return report;
}

export function measurementOf(report: HarnessReport): Measurement {
  const passed = expectPassed(report);
  if (!passed.measurement) throw new Error('the report has no measurement');
  return passed.measurement;
}

export function recordingOf(report: HarnessReport): Recording {
  const passed = expectPassed(report);
  if (!passed.recording) throw new Error('the report has no recording');
  return passed.recording;
}

/** Whether `python3 -I` can import pytest here (the pytest runner is used only then). */
export function pythonHasPytest(): boolean {
  return spawnSync('python3', ['-I', '-c', 'import pytest'], { encoding: 'utf8' }).status === 0;
}
