// Hostile code through the Docker sandbox: the same cases and expectations as the local backend.
// With AFTERBURNER_REQUIRE_DOCKER=1 the suite fails (not skips) when no engine answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerSandbox } from '../../src/adapters/dockerSandbox';
import type { DockerSandbox } from '../../src/adapters/dockerSandbox';
import type { HostileContext } from './hostileCases';
import { HOSTILE_CASES, createHostileContext, healthyJob, hostileJob } from './hostileCases';
import { containersOf, useDockerEngine } from './dockerForTests';

describe('hostile code in the Docker sandbox', () => {
  const engine = useDockerEngine();
  let sandbox: DockerSandbox;
  let ctx: HostileContext;

  beforeAll(async () => {
    ctx = await createHostileContext();
  });
  afterAll(async () => {
    await sandbox?.dispose();
    await ctx?.close();
  });

  /** What runs in this sandbox's containers besides the agent (PID 1), as the engine sees it. */
  async function processesLeft(): Promise<string[]> {
    const { docker } = engine();
    const left: string[] = [];
    for (const info of await containersOf(docker, sandbox.id)) {
      if (info.State !== 'running') continue;
      const container = docker.getContainer(info.Id);
      const agentPid = String((await container.inspect()).State.Pid);
      const top = await container.top({ ps_args: '-o pid,args' });
      for (const row of top.Processes ?? []) {
        if (row[0] !== agentPid) left.push(row.join(' '));
      }
    }
    return left;
  }

  it('runs in a locked-down container', () => {
    sandbox = createDockerSandbox(engine().options);
    expect(sandbox.describe().isolation).toMatch(/^docker: no network, read-only root, .*non-root.*empty env/);
  });

  for (const hostile of HOSTILE_CASES) {
    it(`contains: ${hostile.name}`, async () => {
      sandbox ??= createDockerSandbox(engine().options);
      const result = await sandbox.run(hostileJob(hostile, ctx));
      const detail = `${result.kind}: ${'message' in result ? result.message : ''}\n${result.output.slice(-1500)}`;
      expect(hostile.expect, detail).toContain(result.kind);
      expect(result.sandbox).toBe('docker');
      if (hostile.signal && result.kind === 'crashed') expect(result.signal).toBe(hostile.signal);
      expect(hostile.hostCheck?.(ctx, result)).toBeUndefined();
      expect(await processesLeft()).toEqual([]);
      // At most one warm container per image stays (for the last memory limit used); a
      // misbehaving run's container was replaced.
      const images = (await containersOf(engine().docker, sandbox.id)).map((c) => c.Image);
      expect(new Set(images).size).toBe(images.length);
    });
  }

  it('reports the signal of a segfault and the limit of a timeout', async () => {
    sandbox ??= createDockerSandbox(engine().options);
    const segfault = HOSTILE_CASES.find((c) => c.name === 'segfault');
    const loop = HOSTILE_CASES.find((c) => c.name === 'infinite loop');
    if (!segfault || !loop) throw new Error('cases missing');
    expect(await sandbox.run(hostileJob(segfault, ctx))).toMatchObject({ kind: 'crashed', signal: 'SIGSEGV' });
    expect(await sandbox.run(hostileJob(loop, ctx))).toMatchObject({ kind: 'timeout', limitMs: 4000 });
  });

  it('still runs healthy code afterwards, and dispose() leaves no container behind', async () => {
    sandbox ??= createDockerSandbox(engine().options);
    const result = await sandbox.run(healthyJob());
    expect(result.kind, result.output).toBe('passed');
    await sandbox.dispose();
    const { docker } = engine();
    expect(await containersOf(docker, sandbox.id)).toEqual([]);
    const ours = await docker.listContainers({
      all: true,
      filters: { label: ['afterburner=1', `afterburner.pid=${process.pid}`] },
    });
    expect(ours).toEqual([]);
  });
});
