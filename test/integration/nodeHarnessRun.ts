// Runs sandbox/node/harness.mjs in a fresh work dir as cwd — `node --expose-gc harness.mjs job.json`
// — and reads the report after the last marker line.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { transpileTypeScript } from '../../src/languages/node/typescriptTranspile';
import {
  HARNESS_REPORT_MARKER,
  type HarnessJob,
  type HarnessReport,
  type Measurement,
} from '../../src/core/sandboxTypes';

export const repo = path.resolve(__dirname, '../..');
const harness = path.join(repo, 'sandbox/node/harness.mjs');
export const jsFixtures = path.join(repo, 'test/fixtures/js');
export const tsFixtures = path.join(repo, 'test/fixtures/ts');
const workDirs: string[] = [];

/** Removes every work dir made so far (call from afterAll). */
export function removeWorkDirs(): void {
  for (const d of workDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface NodeRun {
  readonly files: Readonly<Record<string, string>>;
  readonly modulePath: string;
  readonly testPaths: readonly string[];
  readonly target: string;
  readonly mode?: HarnessJob['mode'];
  readonly measure?: HarnessJob['measure'];
  readonly workspaceRoot?: string;
  /** Start node with --expose-gc (as the tests' own runs do); the sandboxes do not. Default true. */
  readonly exposeGc?: boolean;
}

export interface NodeRunResult {
  readonly report: HarnessReport;
  readonly stdout: string;
  readonly stderr: string;
  /** The work dir the harness ran in (removed by removeWorkDirs). */
  readonly dir: string;
}

export function fixture(name: string, dir = jsFixtures): string {
  return readFileSync(path.join(dir, name), 'utf8');
}

/** Writes the files and job.json into a fresh work dir; returns it and the harness's arguments. */
function prepareRun(options: NodeRun): { dir: string; args: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ab-node-harness-'));
  workDirs.push(dir);
  for (const [p, content] of Object.entries(options.files)) {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), content);
  }
  const job: HarnessJob = {
    language: 'javascript',
    modulePath: options.modulePath,
    testPaths: options.testPaths,
    target: options.target,
    mode: options.mode ?? { kind: 'profile' },
    measure: options.measure ?? { budgetMs: 300 },
    seed: 7,
    ...(options.workspaceRoot !== undefined ? { workspaceRoot: options.workspaceRoot } : {}),
  };
  writeFileSync(path.join(dir, 'job.json'), JSON.stringify(job));
  const flags = options.exposeGc === false ? [] : ['--expose-gc'];
  return { dir, args: [...flags, harness, 'job.json'] };
}

function reportOf(status: number | null, stdout: string, stderr: string, dir: string): NodeRunResult {
  expect(status, stderr).toBe(0);
  const at = stdout.lastIndexOf(HARNESS_REPORT_MARKER);
  expect(at, `no report in: ${stdout.slice(-2000)} ${stderr.slice(-2000)}`).toBeGreaterThanOrEqual(0);
  const line = stdout.slice(at + HARNESS_REPORT_MARKER.length).split('\n')[0] ?? '';
  return { report: JSON.parse(line) as HarnessReport, stdout, stderr, dir };
}

/**
 * Runs the harness without blocking the test worker (runs that start a real jest take long enough
 * on a loaded machine for the worker's own messages to time out).
 */
export async function runNodeHarness(options: NodeRun, timeoutMs = 150_000): Promise<NodeRunResult> {
  const { dir, args } = prepareRun(options);
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  return reportOf(status, stdout, stderr, dir);
}

export function passed(report: HarnessReport): Extract<HarnessReport, { kind: 'passed' }> {
  if (report.kind !== 'passed') throw new Error(`expected passed, got ${JSON.stringify(report).slice(0, 1500)}`);
  return report;
}

export function failed(report: HarnessReport): Extract<HarnessReport, { kind: 'failed' }> {
  if (report.kind !== 'failed') throw new Error(`expected failed, got ${JSON.stringify(report).slice(0, 1500)}`);
  return report;
}

export function measurementOf(report: HarnessReport): Measurement {
  const m = passed(report).measurement;
  if (!m) throw new Error('no measurement');
  return m;
}

/**
 * TypeScript fixtures (work-dir path → fixture name), plus `extra` files as they are, transpiled
 * as the host does before a run.
 */
export function transpiledFixtures(
  files: Readonly<Record<string, string>>,
  modulePath: string,
  testPaths: readonly string[],
  extra: Readonly<Record<string, string>> = {},
): Pick<NodeRun, 'files' | 'modulePath' | 'testPaths'> {
  const out = transpileTypeScript({
    files: [
      ...Object.entries(files).map(([p, name]) => ({ path: p, content: fixture(name, tsFixtures) })),
      ...Object.entries(extra).map(([p, content]) => ({ path: p, content })),
    ],
    modulePath,
    testPaths,
  });
  if (out.kind !== 'ok') throw new Error(out.message);
  return {
    files: Object.fromEntries(out.files.map((f) => [f.path, f.content])),
    modulePath: out.modulePath,
    testPaths: out.testPaths,
  };
}
