// A JavaScript project tested with its own vitest, run through the Docker sandbox: the container
// gets the workspace mounted read-only at its own path, so the harness finds the workspace's
// node_modules/.bin/vitest as it does locally. The workspace here looks like a user's project: a
// real node_modules folder inside it (hard links to this repo's packages, so no link points
// outside the mounted folder).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDockerSandbox } from '../../src/adapters/dockerSandbox';
import type { DockerSandbox } from '../../src/adapters/dockerSandbox';
import type { SandboxJob } from '../../src/core/sandboxTypes';
import { containersOf, fixtureJob, useDockerEngine } from './dockerForTests';
import { fixture, repo } from './nodeHarnessRun';

const temps: string[] = [];
function tempFolder(prefix: string, mode: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, mode);
  temps.push(dir);
  return dir;
}

/** A 0755 project folder with node_modules holding (hard-linked) copies of the repo's packages. */
function makeWorkspace(): string {
  const root = tempFolder('ab-docker-workspace-', 0o755);
  const modules = path.join(root, 'node_modules');
  mkdirSync(modules, { mode: 0o755 });
  const names = readdirSync(path.join(repo, 'node_modules')).filter((n) => !n.startsWith('.vite') && n !== '.cache');
  const copy = spawnSync('cp', ['-al', ...names.map((n) => path.join(repo, 'node_modules', n)), modules], {
    encoding: 'utf8',
  });
  if (copy.status !== 0) throw new Error(`could not copy node_modules: ${copy.stderr}`);
  return root;
}

/** Every path under `dir` with its modification time: what a write into the folder would change. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const info = statSync(p, { throwIfNoEntry: false });
      out.push(`${p} ${info?.mtimeMs ?? 'link'}`);
      if (info?.isDirectory() && depth < 2) walk(p, depth + 1);
    }
  };
  walk(dir, 0);
  return out;
}

afterAll(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

const vitestJob = (workspaceRoot: string): SandboxJob => ({
  language: 'javascript',
  files: [
    { path: 'sum.mjs', content: fixture('sum.mjs') },
    { path: 'sum.test.mjs', content: fixture('vitest/sum.test.mjs') },
  ],
  modulePath: 'sum.mjs',
  testPaths: ['sum.test.mjs'],
  target: 'slowSum',
  mode: { kind: 'profile' },
  limits: { timeoutMs: 120_000, memoryMb: 512 },
  measure: { budgetMs: 300, maxSamples: 15 },
  workspaceRoot,
});

describe('Docker sandbox: the workspace of a JavaScript project', () => {
  const engine = useDockerEngine();
  const sandboxes: DockerSandbox[] = [];
  const open = (): DockerSandbox => {
    const sandbox = createDockerSandbox(engine().options);
    sandboxes.push(sandbox);
    return sandbox;
  };
  afterEach(async () => {
    await Promise.all(sandboxes.splice(0).map((s) => s.dispose()));
  });

  it('runs the workspace vitest with the workspace mounted read-only, records the calls, and writes nothing into it', async () => {
    const workspace = makeWorkspace();
    const before = snapshot(workspace);
    const result = await open().run(vitestJob(workspace));
    expect(result.kind, 'message' in result ? result.message : result.output).toBe('passed');
    if (result.kind !== 'passed') return;
    expect(result.runner).toBe('vitest');
    expect(result.tests).toEqual({ passed: 3, failed: 0 });
    expect(result.recording?.calls).toBe(3);
    expect(result.measurement?.calls).toBe(3);
    expect(result.isolation).toContain(`workspace mounted read-only (${workspace}`);
    expect(snapshot(workspace)).toEqual(before);
  });

  it('runs without the mount when the container user cannot read the workspace, and says the runner is missing', async () => {
    const workspace = tempFolder('ab-docker-private-', 0o700);
    const sandbox = open();
    const result = await sandbox.run({ ...vitestJob(workspace), mode: { kind: 'test' } });
    expect(result.kind).toBe('error');
    expect('message' in result && result.message).toMatch(/vitest is not installed/);
    expect(result.isolation).not.toContain('workspace');
    expect(statSync(workspace).mode & 0o777).toBe(0o700);
    const [info] = await containersOf(engine().docker, sandbox.id);
    const binds = (
      await engine()
        .docker.getContainer(info?.Id ?? '')
        .inspect()
    ).HostConfig.Binds;
    expect(binds ?? []).toEqual([]);
  });

  it('keeps warm containers per workspace, for the two most recently used workspaces only', async () => {
    const sandbox = open();
    const { docker } = engine();
    const folders = [0, 1, 2].map(() => tempFolder('ab-docker-ws-', 0o755));
    const nodeTest = (workspaceRoot?: string): SandboxJob =>
      fixtureJob('javascript', 'squares.mjs', ['squares.test.mjs'], 'sumOfSquares', {
        mode: { kind: 'test' },
        ...(workspaceRoot ? { workspaceRoot } : {}),
      });
    for (const job of [nodeTest(), ...folders.map(nodeTest), nodeTest(folders[1])]) {
      const result = await sandbox.run(job);
      expect(result.kind, result.output).toBe('passed');
    }
    const mounted = await Promise.all(
      (await containersOf(docker, sandbox.id)).map(
        async (c) => (await docker.getContainer(c.Id).inspect()).HostConfig.Binds ?? [],
      ),
    );
    expect(mounted.map((b) => b.join(',')).sort()).toEqual(
      ['', `${folders[1]}:${folders[1]}:ro`, `${folders[2]}:${folders[2]}:ro`].sort(),
    );
    await sandbox.dispose();
    expect(await containersOf(docker, sandbox.id)).toEqual([]);
  });
});
