// Warm sandbox containers: created on first use, reused (one run at a time each) while they
// behave, and destroyed (never reused) once a run misbehaved. Every container carries labels naming the
// process that owns it, so the leftovers of a crashed host are found and removed at start.
import { hostname } from 'node:os';
import type Dockerode from 'dockerode';
import { agentCommand, attachAgent, WORK_ROOT } from './dockerAgent';
import type { AgentChannel } from './dockerAgent';
import type { HarnessCommand } from './harnessRun';
import { createIdleContainers } from './dockerIdleContainers';
import { errorMessage } from '../core/errorMessage';

/** The size of the tmpfs at WORK_ROOT where each run gets its fresh work dir (the only writable place). */
export const WORK_TMPFS_MB = 64;
export const SANDBOX_USER = '10001:10001';
export const PIDS_LIMIT = 128;
/**
 * The CPU quota: the measuring thread's one CPU and half of another for what runs beside it (V8's
 * compiler threads, the memory sampler). At 1 CPU those spent the quota before the period ended and
 * the container, timed thread and all, was throttled in 86–94 % of its 100 ms periods on an idle
 * machine (the timed thread waited for a CPU 4–15 % of the time); at 1.5, in none.
 */
export const CPUS = 1.5;
/** /dev/shm stays (Python's multiprocessing needs it) but small; it is emptied after each run. */
const SHM_MB = 16;
/**
 * Idle containers kept for workspaces (each has one folder mounted), across all workspaces: the
 * least recently used workspace's containers go first.
 */
export const MAX_WARM_WORKSPACES = 2;

export const LABEL = 'afterburner';
const LABEL_PID = 'afterburner.pid';
const LABEL_HOST = 'afterburner.host';
const LABEL_SANDBOX = 'afterburner.sandbox';

/** Our harness, read-only, inside an image that does not carry it (the project's dev container). */
export interface HarnessMount {
  readonly host: string;
  readonly container: string;
}

export interface WarmContainer {
  readonly id: string;
  readonly container: Dockerode.Container;
  readonly image: string;
  readonly memoryMb: number;
  readonly key: string;
  readonly harness: HarnessCommand;
  /** The host folder mounted read-only at the same path, if any. */
  readonly workspace: string | undefined;
  /** More host folders mounted read-only at their own paths: packages the workspace links to elsewhere. */
  readonly alsoMounted: readonly string[];
  /** The host's harness folder mounted over the image's (an image that is not ours), if any. */
  readonly harnessMount: HarnessMount | undefined;
  readonly agent: AgentChannel;
  /** The cgroup's OOM-kill count after the last clean run: a rise means this run was OOM-killed. */
  oomKills: number;
}

/**
 * The container the runs go to: the agent loop (dockerAgent.ts) as PID 1, fed through stdin, and
 * the limits of design.md's threat model. A `workspace` folder is mounted read-only at its own
 * path, so the absolute paths the job names (the workspace's test runner) hold inside too.
 */
export function containerSpec(
  image: string,
  memoryMb: number,
  sandboxId: string,
  cmd: readonly string[],
  workspace?: string,
  harnessMount?: HarnessMount,
  alsoMounted: readonly string[] = [],
): Dockerode.ContainerCreateOptions {
  const bytes = memoryMb * 1024 * 1024;
  const binds = [
    ...(workspace !== undefined ? [`${workspace}:${workspace}:ro`] : []),
    ...alsoMounted.map((folder) => `${folder}:${folder}:ro`),
    ...(harnessMount !== undefined ? [`${harnessMount.host}:${harnessMount.container}:ro`] : []),
  ];
  return {
    Image: image,
    // As the entrypoint, so neither the base image's ENTRYPOINT (node's docker-entrypoint.sh) nor its CMD applies.
    Entrypoint: [...cmd],
    User: SANDBOX_USER,
    // Nothing from the host; the agent gives the harness PATH, LANG, HOME and TMPDIR only.
    Env: [],
    OpenStdin: true,
    StdinOnce: false,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    // No WorkingDir: a directory under the tmpfs mount point would lend it its owner and mode.
    // The work dir is noexec: interpreters read scripts, so only dropped binaries are refused.
    // No network through NetworkMode 'none' (a namespace with loopback only). Not NetworkDisabled:
    // that leaves /etc/hosts empty, and tools that resolve "localhost" (vitest's start-up) fail.
    Labels: { [LABEL]: '1', [LABEL_PID]: String(process.pid), [LABEL_HOST]: hostname(), [LABEL_SANDBOX]: sandboxId },
    HostConfig: {
      NetworkMode: 'none',
      Memory: bytes,
      MemorySwap: bytes,
      NanoCpus: CPUS * 1e9,
      PidsLimit: PIDS_LIMIT,
      ReadonlyRootfs: true,
      ...(binds.length > 0 ? { Binds: binds } : {}),
      Tmpfs: { [WORK_ROOT]: `rw,noexec,nosuid,nodev,size=${WORK_TMPFS_MB}m,mode=1777` },
      ShmSize: SHM_MB * 1024 * 1024,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      // A crashing process must not write a core file into the work dir's tmpfs.
      Ulimits: [{ Name: 'core', Soft: 0, Hard: 0 }],
      AutoRemove: false,
      Privileged: false,
      // Output reaches us through the attached stream; an output flood must not fill the host's disk.
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}

export interface ContainerPool {
  /** An idle warm container for (image, memory, harness command, workspace, harness mount, other mounts), or a new one. */
  acquire(
    image: string,
    memoryMb: number,
    harness: HarnessCommand,
    workspace?: string,
    harnessMount?: HarnessMount,
    alsoMounted?: readonly string[],
  ): Promise<WarmContainer>;
  /** Back to the idle list after a clean run (or removed when the list is full). */
  release(warm: WarmContainer): Promise<void>;
  /** Kills and removes the container; resolves when it is gone. */
  destroy(warm: WarmContainer): Promise<void>;
  /**
   * Starts a replacement for a destroyed container in the background, so the run after a
   * misbehaving one does not wait for a container start.
   */
  refill(like: WarmContainer): void;
  /** Ids of the containers alive now (idle and busy). */
  ids(): readonly string[];
  dispose(): Promise<void>;
}

async function removeQuietly(container: Dockerode.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (err) {
    // 404: already gone; 409: removal already in progress. Both mean it is going away.
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== 404 && status !== 409) throw err;
  }
}

export function createContainerPool(
  docker: Dockerode,
  options: { sandboxId: string; poolSize: number; log: (line: string) => void },
): ContainerPool {
  const idle = createIdleContainers<WarmContainer>(MAX_WARM_WORKSPACES);
  const alive = new Map<string, WarmContainer>();
  const creating = new Set<Promise<unknown>>();
  const refilling = new Map<string, Promise<void>>();
  let disposed = false;
  const keyOf = (
    image: string,
    memoryMb: number,
    harness: HarnessCommand,
    workspace: string | undefined,
    harnessMount: HarnessMount | undefined,
    alsoMounted: readonly string[],
  ): string =>
    JSON.stringify([
      image,
      memoryMb,
      workspace ?? null,
      harnessMount?.host ?? null,
      alsoMounted,
      harness.command,
      ...harness.args,
    ]);

  async function create(
    image: string,
    memoryMb: number,
    harness: HarnessCommand,
    workspace: string | undefined,
    harnessMount: HarnessMount | undefined,
    alsoMounted: readonly string[],
  ): Promise<WarmContainer> {
    const container = await docker.createContainer(
      containerSpec(image, memoryMb, options.sandboxId, agentCommand(harness), workspace, harnessMount, alsoMounted),
    );
    try {
      const agent = await attachAgent(docker, container);
      const key = keyOf(image, memoryMb, harness, workspace, harnessMount, alsoMounted);
      const warm: WarmContainer = {
        id: container.id,
        container,
        image,
        memoryMb,
        key,
        harness,
        workspace,
        alsoMounted,
        harnessMount,
        agent,
        oomKills: 0,
      };
      alive.set(warm.id, warm);
      await container.start();
      const mounted = [workspace, ...alsoMounted]
        .filter((folder) => folder !== undefined)
        .map((folder) => `, ${folder} read-only`)
        .join('');
      options.log(`docker: started sandbox container ${warm.id.slice(0, 12)} (${image}, ${memoryMb} MB${mounted})`);
      return warm;
    } catch (err) {
      alive.delete(container.id);
      await removeQuietly(container).catch(() => undefined);
      throw err;
    }
  }

  async function destroy(warm: WarmContainer): Promise<void> {
    alive.delete(warm.id);
    await removeQuietly(warm.container);
  }

  const destroyAll = async (list: readonly WarmContainer[]): Promise<void> => {
    await Promise.allSettled(list.map(destroy));
  };

  /** A new container, unless the pool was disposed while it was being made: then none outlives the pool. */
  async function createOwned(
    image: string,
    memoryMb: number,
    harness: HarnessCommand,
    workspace?: string,
    harnessMount?: HarnessMount,
    alsoMounted: readonly string[] = [],
  ) {
    const pending = create(image, memoryMb, harness, workspace, harnessMount, alsoMounted);
    creating.add(pending);
    try {
      const warm = await pending;
      if (disposed) {
        await destroy(warm);
        throw new Error('the Docker sandbox was disposed');
      }
      return warm;
    } finally {
      creating.delete(pending);
    }
  }

  return {
    async acquire(image, memoryMb, harness, workspace, harnessMount, alsoMounted = []) {
      if (disposed) throw new Error('the Docker sandbox was disposed');
      const key = keyOf(image, memoryMb, harness, workspace, harnessMount, alsoMounted);
      idle.touch(workspace);
      await refilling.get(key);
      await destroyAll(idle.evictOtherLimits(image, workspace, key));
      for (let ready = idle.take(key); ready; ready = idle.take(key)) {
        if (ready.agent.alive()) return ready;
        await destroy(ready);
      }
      return createOwned(image, memoryMb, harness, workspace, harnessMount, alsoMounted);
    },
    async release(warm) {
      if (disposed || idle.count(warm.key) >= options.poolSize || !alive.has(warm.id) || !warm.agent.alive()) {
        await destroy(warm);
        return;
      }
      await destroyAll(idle.put(warm));
    },
    destroy,
    refill(like) {
      if (disposed || refilling.has(like.key) || idle.count(like.key) >= options.poolSize) return;
      const pending = create(
        like.image,
        like.memoryMb,
        like.harness,
        like.workspace,
        like.harnessMount,
        like.alsoMounted,
      )
        .then(async (fresh) => {
          if (disposed || idle.count(fresh.key) >= options.poolSize) return destroy(fresh);
          await destroyAll(idle.put(fresh));
        })
        .catch((err: unknown) => options.log(`docker: no replacement container: ${errorMessage(err)}`))
        .finally(() => {
          refilling.delete(like.key);
          creating.delete(pending);
        });
      refilling.set(like.key, pending);
      creating.add(pending);
    },
    ids: () => [...alive.keys()],
    async dispose() {
      disposed = true;
      await Promise.allSettled([...creating]);
      idle.clear();
      await destroyAll([...alive.values()]);
      // Whatever tracking missed (a create that failed half-way) still carries our label.
      await removeLabelled(docker, `${LABEL_SANDBOX}=${options.sandboxId}`);
    },
  };
}

async function removeLabelled(docker: Dockerode, label: string): Promise<number> {
  const found = await docker.listContainers({ all: true, filters: { label: [label] } });
  await Promise.allSettled(found.map((c) => removeQuietly(docker.getContainer(c.Id))));
  return found.length;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes sandbox containers left by a host process of this machine that no longer exists (a
 * crashed CLI or extension host). Containers of live processes and of other machines are kept.
 */
export async function reapOrphans(
  docker: Dockerode,
  isAlive: (pid: number) => boolean = processAlive,
): Promise<number> {
  const found = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL}=1`, `${LABEL_HOST}=${hostname()}`] },
  });
  const orphans = found.filter((c) => {
    const pid = Number(c.Labels[LABEL_PID]);
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid);
  });
  await Promise.allSettled(orphans.map((c) => removeQuietly(docker.getContainer(c.Id))));
  return orphans.length;
}
