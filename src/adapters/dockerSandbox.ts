// The Docker sandbox backend: each run goes to a warm, locked-down container (limits in
// dockerContainerPool.ts) whose agent loop (dockerAgent.ts) runs the harness in a fresh work dir on
// a tmpfs. A container that misbehaved (timeout, cancel, OOM, stray processes, crash, a dead agent)
// is destroyed, never reused.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type Dockerode from 'dockerode';
import type { Limits, Sandbox, SandboxDescription, SandboxJob, SandboxResult } from '../core/sandboxTypes';
import { connectDocker } from './dockerEngine';
import { CPUS, createContainerPool, PIDS_LIMIT, reapOrphans, WORK_TMPFS_MB } from './dockerContainerPool';
import type { ContainerPool, HarnessMount, WarmContainer } from './dockerContainerPool';
import { packJob } from './dockerAgent';
import { quotaPeriods, throttledShare } from './dockerQuota';
import type { RunOutcome } from './dockerAgent';
import { toSandboxResult } from './harnessReport';
import { harnessCommand, prepareJob } from './harnessRun';
import { linkedNodeModules } from './linkedNodeModules';
import { reachableByOthers } from './localIsolation';
import { ensureSandboxImage, findSandboxDir, imageExists, imageKindFor, sandboxImage } from './sandboxImages';
import type { ImageKind } from './sandboxImages';
import { errorMessage } from '../core/errorMessage';
import { harnessOf } from '../languages/registry';

/** Where the images hold the harness (sandbox/ of the repo, read-only in the image). */
const IMAGE_HARNESS_DIR = '/opt/afterburner/sandbox';

export interface DockerSandboxOptions {
  /** A client to use; else one is connected from `dockerHost` or DOCKER_HOST. */
  readonly docker?: Dockerode;
  readonly dockerHost?: string;
  readonly images?: {
    /**
     * Base image for building a missing sandbox image (the Dockerfiles' `ARG BASE`); default
     * AFTERBURNER_SANDBOX_BASE, else the Dockerfiles' own (python:3.12-slim, node:22-slim).
     */
    readonly base?: string;
    /** The repo's sandbox/ folder (found next to the bundle by default). */
    readonly sandboxDir?: string;
    /** Use these image tags as they are (no hash check, no build). */
    readonly tags?: Partial<Record<ImageKind, string>>;
  };
  /**
   * The project's own image (its dev container's, or the one the user named) for Python jobs: its
   * Python runs them, with our harness mounted read-only. It must be in the engine already.
   */
  readonly projectImage?: ProjectImage;
  /** Idle warm containers kept per image and memory limit. Default 1. */
  readonly poolSize?: number;
  /** Memory limit stated by describe() (each run states its own). Default 512. */
  readonly memoryMb?: number;
  readonly log?: (line: string) => void;
}

export interface ProjectImage {
  readonly tag: string;
  /** Where it was named, for messages: ".devcontainer/devcontainer.json", "the setting afterburner.sandbox.image". */
  readonly origin: string;
}

export interface DockerSandbox extends Sandbox {
  /** The label value `afterburner.sandbox` on every container of this sandbox. */
  readonly id: string;
  /** Ids of this sandbox's containers alive now. */
  containerIds(): readonly string[];
  /** Removes containers left behind by crashed host processes of this machine; returns how many. */
  reapOrphans(): Promise<number>;
}

export function dockerIsolation(memoryMb: number, workspace?: string, linked: readonly string[] = []): string {
  return (
    `docker: no network, read-only root, ${memoryMb} MB memory+swap, ${CPUS} CPUs, ≤${PIDS_LIMIT} processes, ` +
    `tmpfs work dir ${WORK_TMPFS_MB} MB (noexec), non-root (uid 10001), no capabilities, no-new-privileges, empty env` +
    (workspace !== undefined ? `; workspace mounted read-only (${workspace}: the code can read it)` : '') +
    (linked.length > 0 ? `; the packages it links to mounted read-only too (${linked.join(', ')})` : '')
  );
}

/** Folders of the image itself (its Node, its npm, our harness, the work dir): never covered by a mount. */
const IMAGE_FOLDERS = [
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib64',
  '/etc',
  '/opt/afterburner',
  '/run',
  '/proc',
  '/sys',
  '/dev',
];

/**
 * The folders outside the workspace that its node_modules links to (npm link, a package store, the
 * whole node_modules as a link; see linkedNodeModules), mounted beside it, as the local sandbox
 * binds them: without them the test runner "is not installed" in the container. Folders of the
 * image are left alone (a mount over /usr/local/lib would hide the image's own).
 */
function linkedFolders(job: SandboxJob, workspace: string | undefined): string[] {
  if (workspace === undefined || job.project !== undefined || !harnessOf(job.language).usesWorkspace) return [];
  return linkedNodeModules(workspace).filter(
    (folder) =>
      reachableByOthers(folder) && !IMAGE_FOLDERS.some((top) => folder === top || folder.startsWith(`${top}/`)),
  );
}

/**
 * The folder mounted read-only at its own path: the job's project (run in place), or for a
 * JavaScript/TypeScript job without one its workspace with its own test runner, when the
 * container user (uid 10001, "others" on the host) can read it. The user's file modes are theirs;
 * they are not changed.
 */
export function workspaceMount(job: SandboxJob): string | undefined {
  if (job.project !== undefined) {
    const root = path.resolve(job.project.root);
    return reachableByOthers(root) ? root : undefined;
  }
  if (!harnessOf(job.language).usesWorkspace || job.workspaceRoot === undefined || !path.isAbsolute(job.workspaceRoot))
    return undefined;
  const root = path.resolve(job.workspaceRoot);
  return reachableByOthers(root) ? root : undefined;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('The sandbox run was cancelled.', 'AbortError');
}

type ImageOutcome = { kind: 'ok'; tag: string; harnessMount?: HarnessMount } | { kind: 'error'; message: string };

/** The project's image when it is in the engine (checked once), with our harness mounted over its path. */
function createProjectImageCheck(
  projectImage: ProjectImage,
  sandboxDir: string | undefined,
): (docker: Dockerode, kind: ImageKind) => Promise<ImageOutcome> {
  let present = false;
  return async (docker, kind) => {
    present ||= await imageExists(docker, projectImage.tag);
    if (!present)
      return {
        kind: 'error',
        message: `The image ${projectImage.tag} (from ${projectImage.origin}) is not in the Docker engine. Run 'docker pull ${projectImage.tag}' (or build it), name another image (the setting afterburner.sandbox.image, or "image" in the dev container), or use the local sandbox.`,
      };
    let host: string;
    try {
      host = path.join(sandboxDir ?? findSandboxDir(), kind);
    } catch (err) {
      return { kind: 'error', message: errorMessage(err) };
    }
    if (!reachableByOthers(host))
      return {
        kind: 'error',
        message: `The harness folder ${host} cannot be mounted into ${projectImage.tag}: the container user (uid 10001) cannot read it. Make it readable by others (chmod o+rx on it and the folders above), or use the local sandbox.`,
      };
    return { kind: 'ok', tag: projectImage.tag, harnessMount: { host, container: `${IMAGE_HARNESS_DIR}/${kind}` } };
  };
}

/** The sandbox image per kind, built once when missing; a failed build is retried by the next run. */
function createImageCache(
  options: NonNullable<DockerSandboxOptions['images']>,
  log: (line: string) => void,
): (docker: Dockerode, kind: ImageKind) => Promise<ImageOutcome> {
  const images = new Map<ImageKind, Promise<ImageOutcome>>();
  const build = async (docker: Dockerode, kind: ImageKind): Promise<ImageOutcome> => {
    const fixed = options.tags?.[kind];
    if (fixed) return { kind: 'ok', tag: fixed };
    const wanted = sandboxImage(kind, options.sandboxDir);
    const base = options.base ?? (process.env.AFTERBURNER_SANDBOX_BASE || undefined);
    const outcome = await ensureSandboxImage(docker, wanted, {
      ...(options.sandboxDir !== undefined ? { sandboxDir: options.sandboxDir } : {}),
      ...(base !== undefined ? { base } : {}),
      onProgress: (line) => log(`docker build ${wanted.tag}: ${line}`),
    });
    if (outcome.kind === 'failed') {
      return {
        kind: 'error',
        message: `The sandbox image ${wanted.tag} is missing and could not be built (${outcome.message}). Run 'afterburner images --base IMAGE' with a base image that has python3 and node.`,
      };
    }
    return { kind: 'ok', tag: outcome.tag };
  };
  return (docker, kind) => {
    let pending = images.get(kind);
    if (!pending) {
      pending = build(docker, kind);
      images.set(kind, pending);
      void pending.then((r) => r.kind === 'error' && images.delete(kind));
    }
    return pending;
  };
}

/** What the engine and the agent's trailer say about how the run ended. */
async function runEnd(
  warm: WarmContainer,
  outcome: RunOutcome,
): Promise<{ exitCode: number | null; oomKilled: boolean }> {
  const trailer = outcome.trailer;
  if (trailer) {
    const oomKilled = trailer.oomKills >= 0 ? trailer.oomKills > warm.oomKills : trailer.exitCode === 137;
    return { exitCode: trailer.exitCode, oomKilled };
  }
  if (outcome.stopped) return { exitCode: null, oomKilled: false };
  // The agent itself died (OOM-killed with the code, or the engine lost the container).
  try {
    const state = (await warm.container.inspect()).State;
    return { exitCode: state.Running ? null : state.ExitCode, oomKilled: state.OOMKilled };
  } catch {
    return { exitCode: null, oomKilled: false };
  }
}

/**
 * A container that behaved goes back to the pool; one that misbehaved is destroyed and replaced
 * in the background; a cancelled run's container is gone and not replaced (the user stopped).
 */
async function settleContainer(
  pool: ContainerPool,
  warm: WarmContainer,
  outcome: RunOutcome,
  clean: boolean,
  log: (line: string) => void,
): Promise<void> {
  if (clean) {
    await pool.release(warm);
  } else if (!outcome.stopped) {
    log(`docker: replacing container ${warm.id.slice(0, 12)} after a run that misbehaved`);
    await pool.destroy(warm).catch(() => undefined);
    pool.refill(warm);
  } else if (outcome.stopped === 'timeout') {
    // Already destroyed by the time limit.
    pool.refill(warm);
  }
}

/** The run's result, and whether the container stayed clean enough to be reused. */
async function toResult(
  warm: WarmContainer,
  outcome: RunOutcome,
  limits: Limits,
  wallMs: number,
): Promise<{ result: SandboxResult; clean: boolean }> {
  const isolation =
    dockerIsolation(limits.memoryMb, warm.workspace, warm.alsoMounted) +
    (warm.harnessMount !== undefined ? `; the project's image ${warm.image} with the harness mounted read-only` : '');
  const trailer = outcome.trailer;
  const { exitCode, oomKilled } = await runEnd(warm, outcome);
  const clean =
    !outcome.stopped && trailer !== undefined && trailer.processes <= 1 && !oomKilled && trailer.exitCode < 128;
  if (clean) warm.oomKills = Math.max(warm.oomKills, trailer.oomKills);
  const run = { sandbox: 'docker' as const, isolation, wallMs };
  if (trailer && !trailer.unpacked) {
    const message = `The job files could not be placed in the sandbox work dir (more than its ${WORK_TMPFS_MB} MB tmpfs?).`;
    return { clean, result: { ...run, output: outcome.stderr.head + outcome.stderr.tail, kind: 'error', message } };
  }
  if (!trailer && !outcome.stopped && exitCode === null && !oomKilled) {
    const message = 'The Docker engine lost the sandbox container during the run.';
    return { clean, result: { ...run, output: '', kind: 'error', message } };
  }
  const result = toSandboxResult(
    {
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      exitCode,
      signal: null,
      // The exit status comes through sh, which reports death by signal N as 128 + N.
      exitCodeCarriesSignal: true,
      timedOut: outcome.stopped === 'timeout',
      oomKilled,
    },
    { ...run, limits },
  );
  return { clean, result };
}

export function createDockerSandbox(options: DockerSandboxOptions = {}): DockerSandbox {
  const log = options.log ?? (() => undefined);
  const sandboxId = randomBytes(6).toString('hex');
  const describedMemory = options.memoryMb ?? 512;
  let engine:
    Promise<{ kind: 'ok'; docker: Dockerode; pool: ContainerPool } | { kind: 'error'; message: string }> | undefined;
  const ownImage = createImageCache(options.images ?? {}, log);
  const projectImage = options.projectImage
    ? createProjectImageCheck(options.projectImage, options.images?.sandboxDir)
    : undefined;
  // The project's image runs Python jobs; other languages keep ours.
  const image = (docker: Dockerode, language: SandboxJob['language']): Promise<ImageOutcome> =>
    projectImage && harnessOf(language).runtime === 'cpython'
      ? projectImage(docker, imageKindFor(language))
      : ownImage(docker, imageKindFor(language));
  let disposed = false;
  let livePool: ContainerPool | undefined;

  function connect(): NonNullable<typeof engine> {
    engine ??= (async () => {
      let docker = options.docker;
      if (!docker) {
        const connection = await connectDocker(
          options.dockerHost !== undefined ? { dockerHost: options.dockerHost } : {},
        );
        if (connection.kind === 'unreachable')
          return { kind: 'error', message: `No Docker engine answers at ${connection.host}: ${connection.message}` };
        docker = connection.docker;
      }
      const reaped = await reapOrphans(docker).catch(() => 0);
      if (reaped > 0) log(`docker: removed ${reaped} sandbox container(s) left by a crashed process`);
      const pool = createContainerPool(docker, { sandboxId, poolSize: Math.max(0, options.poolSize ?? 1), log });
      livePool = pool;
      return { kind: 'ok', docker, pool };
    })();
    // An engine that did not answer is asked again by the next run (it may have been started since).
    const pending = engine;
    void pending.then((r) => {
      if (r.kind === 'error' && engine === pending) engine = undefined;
    });
    return pending;
  }

  return {
    id: sandboxId,

    describe(): SandboxDescription {
      return { sandbox: 'docker', isolation: dockerIsolation(describedMemory) };
    },

    async run(job: SandboxJob, signal?: AbortSignal): Promise<SandboxResult> {
      const started = performance.now();
      const workspace = workspaceMount(job);
      const linked = linkedFolders(job, workspace);
      const isolation = dockerIsolation(job.limits.memoryMb, workspace, linked);
      const fail = (message: string): SandboxResult => ({
        sandbox: 'docker',
        isolation,
        wallMs: performance.now() - started,
        output: '',
        kind: 'error',
        message,
      });
      if (signal?.aborted) throw abortError(signal);
      if (disposed) return fail('The Docker sandbox was disposed.');
      if (job.project !== undefined && workspace === undefined)
        return fail(
          `The project ${job.project.root} cannot be mounted: the container user (uid 10001) cannot read it or a folder above it. Use the local sandbox, or make the project readable by others (e.g. chmod o+rx on the folders above it).`,
        );
      const prepared = prepareJob(job);
      if (prepared.kind === 'error') return fail(prepared.message);

      const connected = await connect();
      if (connected.kind === 'error') return fail(connected.message);
      const { docker, pool } = connected;
      const tag = await image(docker, job.language);
      if (tag.kind === 'error') return fail(tag.message);
      if (signal?.aborted) throw abortError(signal);

      const harness = harnessCommand(job.language, { harnessDir: IMAGE_HARNESS_DIR, memoryMb: job.limits.memoryMb });
      let warm: WarmContainer;
      try {
        warm = await pool.acquire(tag.tag, job.limits.memoryMb, harness, workspace, tag.harnessMount, linked);
      } catch (err) {
        return fail(`Could not start a sandbox container: ${errorMessage(err)}`);
      }
      let outcome: RunOutcome;
      const quotaBefore = await quotaPeriods(warm.container);
      try {
        outcome = await warm.agent.run({
          runId: randomBytes(8).toString('hex'),
          tarball: await packJob(prepared.job),
          timeoutMs: job.limits.timeoutMs,
          ...(signal ? { signal } : {}),
          kill: () => pool.destroy(warm),
        });
      } catch (err) {
        await pool.destroy(warm).catch(() => undefined);
        if (signal?.aborted) throw abortError(signal);
        return fail(`The Docker engine failed during the run: ${errorMessage(err)}`);
      }
      if (outcome.stopped === 'abort' && signal) throw abortError(signal);
      if (disposed) return fail('The Docker sandbox was disposed during the run.');
      const throttled = throttledShare(quotaBefore, await quotaPeriods(warm.container));
      const result = await toResult(warm, outcome, job.limits, performance.now() - started);
      await settleContainer(pool, warm, outcome, result.clean, log);
      return throttled !== undefined ? { ...result.result, quotaThrottledShare: throttled } : result.result;
    },

    containerIds(): readonly string[] {
      return livePool?.ids() ?? [];
    },

    async reapOrphans(): Promise<number> {
      const connected = await connect();
      return connected.kind === 'ok' ? reapOrphans(connected.docker) : 0;
    },

    async dispose(): Promise<void> {
      disposed = true;
      if (!engine) return;
      const connected = await engine;
      if (connected.kind === 'ok') await connected.pool.dispose();
    },
  };
}
