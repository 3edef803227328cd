// vitest test files through the workspace's own install: the harness takes the verdict from the
// workspace's node_modules/.bin/vitest and records the calls in-process. The workspace here is a
// temp folder whose node_modules links to this repo's packages (vitest 3), so the run uses a real
// vitest; then the same through the local sandbox, where the workspace is mounted read-only.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalSandbox } from '../../src/adapters/localSandbox';
import { probeLocalCapabilities, reachableByOthers } from '../../src/adapters/localIsolation';
import { transpileTypeScript } from '../../src/languages/node/typescriptTranspile';
import type { Recording, SandboxJob } from '../../src/core/sandboxTypes';
import {
  failed,
  fixture,
  measurementOf,
  passed,
  removeWorkDirs,
  repo,
  runNodeHarness,
  transpiledFixtures,
  tsFixtures,
} from './nodeHarnessRun';

/** A workspace folder whose node_modules holds one link per package of the repo's node_modules. */
function makeWorkspace(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ab-vitest-workspace-'));
  const modules = path.join(root, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(path.join(repo, 'node_modules'))) {
    if (!name.startsWith('.vite') && name !== '.cache')
      symlinkSync(path.join(repo, 'node_modules', name), path.join(modules, name));
  }
  return root;
}

const workspace = makeWorkspace();
const workspaceModules = readdirSync(path.join(workspace, 'node_modules')).sort();
afterAll(() => {
  removeWorkDirs();
  rmSync(workspace, { recursive: true, force: true });
});

const sumFiles = { 'sum.mjs': fixture('sum.mjs'), 'sum.test.mjs': fixture('vitest/sum.test.mjs') };

describe('node harness: vitest from the workspace', () => {
  it('takes the verdict from vitest, records the calls and measures them', async () => {
    const { report } = await runNodeHarness({
      files: sumFiles,
      modulePath: 'sum.mjs',
      testPaths: ['sum.test.mjs'],
      target: 'slowSum',
      workspaceRoot: workspace,
      measure: { budgetMs: 300, hotLines: true },
    });
    const ok = passed(report);
    expect(ok.runner).toBe('vitest');
    expect(ok.tests).toEqual({ passed: 3, failed: 0 });
    expect(ok.recording?.calls).toBe(3);
    const m = measurementOf(report);
    expect(m.calls).toBe(3);
    expect(m.runtimeMs.samples).toBeGreaterThanOrEqual(5);
    expect(m.runtimeMs.median).toBeGreaterThan(0);
    expect(m.hotLines?.[0]?.source).toContain('for (let j = 0; j <= i; j++)');
  });

  it('reports a failing vitest test by name, with the assertion text and its line', async () => {
    const files = { 'sum.mjs': fixture('sum.mjs'), 'sum.test.mjs': fixture('vitest/sumFailing.test.mjs') };
    const report = failed(
      (
        await runNodeHarness({
          files,
          modulePath: 'sum.mjs',
          testPaths: ['sum.test.mjs'],
          target: 'slowSum',
          workspaceRoot: workspace,
        })
      ).report,
    );
    const line =
      fixture('vitest/sumFailing.test.mjs')
        .split('\n')
        .findIndex((l) => l.includes('toBe(7)')) + 1;
    expect(report.runner).toBe('vitest');
    expect(report.tests).toEqual({ passed: 1, failed: 1 });
    expect(report.failures).toEqual([
      {
        test: 'slowSum > expects the wrong total',
        message: `AssertionError: expected 6 to be 7 // Object.is equality (at sum.test.mjs:${line})`,
      },
    ]);
  });

  it('checks a candidate with vitest and the recording', async () => {
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
    expect(measurementOf(fast.report).calls).toBe(3);
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
    expect(wrong.failures[0]?.test).toBe('slowSum > adds a few');
  });

  it('runs a TypeScript async spec: hot lines and failure lines are those of the .ts files', async () => {
    // A package.json without "type": "module": vitest still runs the TypeScript as ES modules.
    const job = transpiledFixtures(
      { 'slowSum.ts': 'slowSum.ts', 'slowSum.spec.ts': 'slowSum.spec.ts' },
      'slowSum.ts',
      ['slowSum.spec.ts'],
      { 'package.json': '{"name":"commonjs-project"}' },
    );
    const ok = passed(
      (
        await runNodeHarness({
          ...job,
          target: 'slowSum',
          workspaceRoot: workspace,
          measure: { budgetMs: 300, hotLines: true },
        })
      ).report,
    );
    expect(ok.tests).toEqual({ passed: 3, failed: 0 });
    const m = measurementOf(ok);
    expect(m.calls).toBe(3);
    expect(m.hotLines?.[0]?.source).toBe(
      'for (let j: number = 0; j <= i; j++) if (j === i) total += (values[j] as number) * options.scale;',
    );

    const broken = transpileTypeScript({
      files: [
        { path: 'slowSum.ts', content: fixture('slowSum.ts', tsFixtures).replace('j <= i', 'j < i') },
        { path: 'slowSum.spec.ts', content: fixture('slowSum.spec.ts', tsFixtures) },
      ],
      modulePath: 'slowSum.ts',
      testPaths: ['slowSum.spec.ts'],
    });
    if (broken.kind !== 'ok') throw new Error(broken.message);
    const files = Object.fromEntries(broken.files.map((f) => [f.path, f.content]));
    const report = failed(
      (
        await runNodeHarness({
          files,
          modulePath: broken.modulePath,
          testPaths: broken.testPaths,
          target: 'slowSum',
          workspaceRoot: workspace,
          mode: { kind: 'test' },
        })
      ).report,
    );
    const line =
      fixture('slowSum.spec.ts', tsFixtures)
        .split('\n')
        .findIndex((l) => l.includes('toBe(expected)')) + 1;
    expect(report.tests.failed).toBe(3);
    expect(report.failures[0]?.message).toMatch(
      new RegExp(`^AssertionError: expected \\+?0 to be 6 .*\\(at slowSum\\.spec\\.ts:${line}\\)$`),
    );
  });

  it('records through a suite that mocks a module and spies on the real one (vi.hoisted, vi.importActual, vi.mock)', async () => {
    const { report } = await runNodeHarness({
      files: { 'sum.mjs': fixture('sum.mjs'), 'sumMocked.test.mjs': fixture('vitest/sumMocked.test.mjs') },
      modulePath: 'sum.mjs',
      testPaths: ['sumMocked.test.mjs'],
      target: 'slowSum',
      workspaceRoot: workspace,
      measure: { budgetMs: 300 },
    });
    const ok = passed(report);
    expect(ok.tests).toEqual({ passed: 1, failed: 0 });
    // The call through the spy on the module as it really is, and the direct one.
    expect(ok.recording?.calls).toBe(2);
  });

  it('says how to install vitest when the workspace has none', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'ab-vitest-empty-'));
    try {
      const { report } = await runNodeHarness({
        files: sumFiles,
        modulePath: 'sum.mjs',
        testPaths: ['sum.test.mjs'],
        target: 'slowSum',
        workspaceRoot: empty,
        mode: { kind: 'test' },
      });
      expect(report.kind).toBe('error');
      expect(report.kind === 'error' && report.message).toMatch(
        /the tests use vitest, but vitest is not installed: .*npm install --save-dev vitest/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('wrote nothing into the workspace', () => {
    expect(readdirSync(path.join(workspace, 'node_modules')).sort()).toEqual(workspaceModules);
    expect(readdirSync(workspace)).toEqual(['node_modules']);
  });
});

const capabilities = probeLocalCapabilities();
const requireBwrap = process.env.AFTERBURNER_REQUIRE_BWRAP === '1';
// bwrap runs as nobody when started by root: the repo (the workspace below) must be readable by others.
const sandboxSkip = !capabilities.bwrap
  ? `bubblewrap is not usable here (${capabilities.bwrapProblem ?? 'bwrap not installed'})`
  : capabilities.root && !reachableByOthers(path.join(repo, 'node_modules', '.bin', 'vitest'))
    ? `the sandbox user cannot read ${repo}/node_modules`
    : undefined;
if (sandboxSkip) console.warn(`vitest in the local sandbox skipped: ${sandboxSkip}`);

describe.skipIf(sandboxSkip !== undefined && !(requireBwrap && !capabilities.bwrap))(
  'node harness: vitest in the local sandbox',
  () => {
    // The repo is a real workspace with vitest installed; the sandbox mounts it read-only.
    const sandbox = createLocalSandbox({ workDirPrefix: 'afterburner-vitest-test-' });
    afterAll(() => sandbox.dispose());

    const job = (files: Readonly<Record<string, string>>, mode: SandboxJob['mode']): SandboxJob => ({
      language: 'javascript',
      files: Object.entries(files).map(([p, content]) => ({ path: p, content })),
      modulePath: 'sum.mjs',
      testPaths: ['sum.test.mjs'],
      target: 'slowSum',
      mode,
      limits: { timeoutMs: 60_000, memoryMb: 512 },
      measure: { budgetMs: 300, hotLines: true },
      workspaceRoot: repo,
    });

    it('runs the workspace vitest under bwrap with the workspace read-only, and measures', async () => {
      expect(sandboxSkip).toBeUndefined();
      expect(sandbox.describe().isolation).toMatch(/^local: bwrap/);
      const result = await sandbox.run(job(sumFiles, { kind: 'profile' }));
      expect(result.kind, 'message' in result ? result.message : result.output).toBe('passed');
      if (result.kind !== 'passed') return;
      expect(result.runner).toBe('vitest');
      expect(result.tests).toEqual({ passed: 3, failed: 0 });
      expect(result.recording?.calls).toBe(3);
      expect(result.measurement?.calls).toBe(3);
      expect(result.measurement?.runtimeMs.samples).toBeGreaterThanOrEqual(5);
      expect(result.measurement?.hotLines?.[0]?.source).toContain('for (let j = 0; j <= i; j++)');
    });

    it('reports a failing vitest test from inside the sandbox', async () => {
      const result = await sandbox.run(
        job({ 'sum.mjs': fixture('sum.mjs'), 'sum.test.mjs': fixture('vitest/sumFailing.test.mjs') }, { kind: 'test' }),
      );
      expect(result.kind, 'message' in result ? result.message : result.output).toBe('failed');
      if (result.kind !== 'failed') return;
      expect(result.failures[0]?.test).toBe('slowSum > expects the wrong total');
      expect(result.failures[0]?.message).toMatch(/^AssertionError: expected 6 to be 7 .*\(at sum\.test\.mjs:\d+\)$/);
    });
  },
);
