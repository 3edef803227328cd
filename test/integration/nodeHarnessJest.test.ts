// jest test files through the workspace's own install (jest 29 from this repo's node_modules):
// the harness takes the verdict from node_modules/.bin/jest and records the calls in-process.
// CommonJS files use jest's globals; ES module files import '@jest/globals' and need Node's VM
// modules. The workspace is a temp folder linking to the repo's packages, which must stay as it was.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalSandbox } from '../../src/adapters/localSandbox';
import { probeLocalCapabilities, reachableByOthers } from '../../src/adapters/localIsolation';
import type { Recording, SandboxJob } from '../../src/core/sandboxTypes';
import { failed, fixture, measurementOf, passed, removeWorkDirs, repo, runNodeHarness } from './nodeHarnessRun';

/** A workspace folder whose node_modules holds one link per package of the repo's node_modules. */
function makeWorkspace(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ab-jest-workspace-'));
  const modules = path.join(root, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(path.join(repo, 'node_modules'))) {
    if (!name.startsWith('.vite') && name !== '.cache')
      symlinkSync(path.join(repo, 'node_modules', name), path.join(modules, name));
  }
  return root;
}

/** jest's default cache folders (<tmpdir>/jest_*), which the harness must not use. */
function defaultJestCaches(): string[] {
  return readdirSync(tmpdir())
    .filter((name) => name.startsWith('jest_'))
    .sort();
}

const cachesBefore = defaultJestCaches();
const workspace = makeWorkspace();
const workspaceModules = readdirSync(path.join(workspace, 'node_modules')).sort();
afterAll(() => {
  removeWorkDirs();
  rmSync(workspace, { recursive: true, force: true });
});

const statsFiles = { 'stats.cjs': fixture('stats.cjs'), 'stats.test.js': fixture('jest/stats.test.js') };
const sumFiles = { 'sum.mjs': fixture('sum.mjs'), 'sum.test.mjs': fixture('jest/sum.test.mjs') };
const lineOf = (name: string, text: string): number =>
  fixture(name)
    .split('\n')
    .findIndex((l) => l.includes(text)) + 1;

describe('node harness: jest from the workspace', () => {
  it('runs a CommonJS test file written for jest globals, records the method calls and measures them', async () => {
    const { report, dir } = await runNodeHarness({
      files: statsFiles,
      modulePath: 'stats.cjs',
      testPaths: ['stats.test.js'],
      target: 'Stats.variance',
      workspaceRoot: workspace,
    });
    const ok = passed(report);
    expect(ok.runner).toBe('jest');
    expect(ok.tests).toEqual({ passed: 3, failed: 0 });
    expect(ok.recording?.calls).toBe(2);
    const m = measurementOf(report);
    expect(m.calls).toBe(2);
    expect(m.runtimeMs.samples).toBeGreaterThanOrEqual(5);
    expect(m.runtimeMs.median).toBeGreaterThan(0);
    // jest's cache went into the work dir, and its results file was removed.
    expect(existsSync(path.join(dir, '.afterburner-jest-cache'))).toBe(true);
    expect(readdirSync(dir).filter((name) => name.startsWith('.afterburner-jest-') && name.endsWith('.json'))).toEqual(
      [],
    );
  });

  it('reports a failing CommonJS jest test by name, with the expect message and its line', async () => {
    const files = { 'stats.cjs': fixture('stats.cjs'), 'statsFailing.test.js': fixture('jest/statsFailing.test.js') };
    const report = failed(
      (
        await runNodeHarness({
          files,
          modulePath: 'stats.cjs',
          testPaths: ['statsFailing.test.js'],
          target: 'Stats.variance',
          workspaceRoot: workspace,
        })
      ).report,
    );
    expect(report.runner).toBe('jest');
    expect(report.tests).toEqual({ passed: 1, failed: 1 });
    const line = lineOf('jest/statsFailing.test.js', 'toBe(2)');
    expect(report.failures).toEqual([
      {
        test: 'Stats > expects the wrong variance',
        message: `Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 2\nReceived: 1.25 (at statsFailing.test.js:${line})`,
      },
    ]);
  });

  it('runs an ES module test file importing @jest/globals, records the calls and measures them', async () => {
    const { report } = await runNodeHarness({
      files: sumFiles,
      modulePath: 'sum.mjs',
      testPaths: ['sum.test.mjs'],
      target: 'slowSum',
      workspaceRoot: workspace,
      measure: { budgetMs: 300, hotLines: true },
    });
    const ok = passed(report);
    expect(ok.runner).toBe('jest');
    expect(ok.tests).toEqual({ passed: 2, failed: 0 });
    expect(ok.recording?.calls).toBe(2);
    const m = measurementOf(report);
    expect(m.calls).toBe(2);
    expect(m.runtimeMs.samples).toBeGreaterThanOrEqual(5);
    expect(m.hotLines?.[0]?.source).toContain('for (let j = 0; j <= i; j++)');
  });

  it('reports a failing ES module jest test with the expect message and its line', async () => {
    const files = { 'sum.mjs': fixture('sum.mjs'), 'sum.test.mjs': fixture('jest/sumFailing.test.mjs') };
    const report = failed(
      (
        await runNodeHarness({
          files,
          modulePath: 'sum.mjs',
          testPaths: ['sum.test.mjs'],
          target: 'slowSum',
          workspaceRoot: workspace,
          mode: { kind: 'test' },
        })
      ).report,
    );
    expect(report.runner).toBe('jest');
    expect(report.tests).toEqual({ passed: 1, failed: 1 });
    const line = lineOf('jest/sumFailing.test.mjs', 'toBe(7)');
    expect(report.failures).toEqual([
      {
        test: 'slowSum > expects the wrong total',
        message: `Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 7\nReceived: 6 (at sum.test.mjs:${line})`,
      },
    ]);
  });

  it('checks a candidate with jest and the recording', async () => {
    const recording = passed(
      (
        await runNodeHarness({
          files: sumFiles,
          modulePath: 'sum.mjs',
          testPaths: ['sum.test.mjs'],
          target: 'slowSum',
          workspaceRoot: workspace,
        })
      ).report,
    ).recording as Recording;
    const fast = await runNodeHarness({
      files: { ...sumFiles, 'sum.mjs': fixture('sumFast.mjs') },
      modulePath: 'sum.mjs',
      testPaths: ['sum.test.mjs'],
      target: 'slowSum',
      workspaceRoot: workspace,
      mode: { kind: 'check', recording },
    });
    expect(measurementOf(fast.report).calls).toBe(2);
    const wrong = failed(
      (
        await runNodeHarness({
          files: { ...sumFiles, 'sum.mjs': fixture('sumWrong.mjs') },
          modulePath: 'sum.mjs',
          testPaths: ['sum.test.mjs'],
          target: 'slowSum',
          workspaceRoot: workspace,
          mode: { kind: 'check', recording },
        })
      ).report,
    );
    expect(wrong.runner).toBe('jest');
    expect(wrong.failures[0]?.test).toBe('slowSum > adds a few');
  });

  it("wrote nothing into the workspace, nor into jest's default cache folder", () => {
    expect(readdirSync(path.join(workspace, 'node_modules')).sort()).toEqual(workspaceModules);
    expect(readdirSync(workspace)).toEqual(['node_modules']);
    expect(defaultJestCaches()).toEqual(cachesBefore);
  });
});

const capabilities = probeLocalCapabilities();
const requireBwrap = process.env.AFTERBURNER_REQUIRE_BWRAP === '1';
// bwrap runs as nobody when started by root: the repo (the workspace below) must be readable by others.
const sandboxSkip = !capabilities.bwrap
  ? `bubblewrap is not usable here (${capabilities.bwrapProblem ?? 'bwrap not installed'})`
  : capabilities.root && !reachableByOthers(path.join(repo, 'node_modules', '.bin', 'jest'))
    ? `the sandbox user cannot read ${repo}/node_modules`
    : undefined;
if (sandboxSkip) console.warn(`jest in the local sandbox skipped: ${sandboxSkip}`);

describe.skipIf(sandboxSkip !== undefined && !(requireBwrap && !capabilities.bwrap))(
  'node harness: jest in the local sandbox',
  () => {
    // The repo is a real workspace with jest installed; the sandbox mounts it read-only.
    const sandbox = createLocalSandbox({ workDirPrefix: 'afterburner-jest-test-' });
    afterAll(() => sandbox.dispose());

    it('runs the workspace jest under bwrap with the workspace read-only, and measures', async () => {
      expect(sandboxSkip).toBeUndefined();
      const job: SandboxJob = {
        language: 'javascript',
        files: Object.entries(statsFiles).map(([p, content]) => ({ path: p, content })),
        modulePath: 'stats.cjs',
        testPaths: ['stats.test.js'],
        target: 'Stats.variance',
        mode: { kind: 'profile' },
        limits: { timeoutMs: 60_000, memoryMb: 512 },
        measure: { budgetMs: 300 },
        workspaceRoot: repo,
      };
      const result = await sandbox.run(job);
      expect(result.kind, 'message' in result ? result.message : result.output).toBe('passed');
      if (result.kind !== 'passed') return;
      expect(result.runner).toBe('jest');
      expect(result.tests).toEqual({ passed: 3, failed: 0 });
      expect(result.measurement?.calls).toBe(2);
    });
  },
);
