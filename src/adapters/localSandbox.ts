/**
 * The local sandbox backend: the harness runs as a child process fenced in as far as this machine
 * allows, and `isolation` says exactly how far that is.
 *
 * - Always: its own session and process group (`kill(0, …)` in the code cannot reach us), an
 *   empty environment except PATH, LANG, HOME and TMPDIR (API keys never enter), a fresh work dir,
 *   rlimits (address space for Python, CPU seconds, file size, open files), a wall-clock limit
 *   enforced from here by killing everything the run started, output capped.
 * - bwrap: no network, new pid/ipc/uts namespaces, read-only system folders and nothing of the
 *   home dirs, the work dir and /tmp on one size-limited tmpfs that disappears with the run.
 * - unshare (root, no bwrap): no network, pid namespace, the work dir on a size-limited tmpfs;
 *   the rest of the filesystem is shared read/write as far as the unprivileged user may.
 * - rlimits only: network and filesystem are NOT isolated; the work dir is watched and the run
 *   is stopped when it grows past its limit.
 * - As root additionally: a cgroup (true memory limit, pids.max) and the code runs as `nobody`.
 */
import { existsSync, statSync } from 'node:fs';
import { chown, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Limits, Sandbox, SandboxDescription, SandboxJob, SandboxResult } from '../core/sandboxTypes';
import type { RunCgroup } from './cgroupLimits';
import { createRunCgroup } from './cgroupLimits';
import type { PreparedJob, PythonInstall } from './harnessRun';
import {
  defaultHarnessDir,
  harnessCommand,
  makeWorkDir,
  prepareJob,
  probeNode,
  probePython,
  removeWorkDir,
  writeJobFiles,
} from './harnessRun';
import { toSandboxResult } from './harnessReport';
import type { ChildOutcome } from './localChild';
import { runLocalChild } from './localChild';
import { linkedNodeModules } from './linkedNodeModules';
import { localCommandLine, localInputDir, localWorkDir, pythonAddressSpaceMb } from './localCommandLine';
import type { IsolationLevel, LocalCapabilities } from './localIsolation';
import {
  NOBODY,
  bestLevel,
  dropPrivilegeArgs,
  probeLocalCapabilities,
  reachableByOthers,
  systemMountArgs,
} from './localIsolation';
import { errorMessage } from '../core/errorMessage';
import { harnessOf } from '../languages/registry';

export interface LocalSandboxOptions {
  /** The repo's `sandbox/` folder with the harnesses. */
  readonly harnessDir?: string;
  /** Python to run the harness with (a name on PATH or a path). Default `python3`. */
  readonly python?: string;
  /** Force a weaker level than the best available (tests of the fallbacks). */
  readonly isolation?: 'auto' | IsolationLevel;
  /** false: never use a cgroup even where one is available (tests of the last-resort address-space limit). */
  readonly cgroup?: boolean;
  /** Processes (and threads) one run may have at once, when a cgroup enforces it. Default 128. */
  readonly maxProcesses?: number;
  /** Size of the work dir (and private /tmp). Default 128 MB, at most half the memory limit. */
  readonly workDirMb?: number;
  /** Limits assumed by `describe()`. */
  readonly defaultLimits?: Limits;
  /** Prefix of work dir names; it also marks the run's processes (their command lines hold it). */
  readonly workDirPrefix?: string;
}

export const LOCAL_WORKDIR_PREFIX = 'afterburner-local-';
const DEFAULT_LIMITS: Limits = { timeoutMs: 60_000, memoryMb: 512 };

interface Plan {
  readonly level: IsolationLevel;
  readonly dropToNobody: boolean;
  readonly cgroup: boolean;
  readonly workDirMb: number;
  readonly python?: PythonInstall;
}

/** True when users other than the owner may list and enter `dir` itself (its ancestors aside). */
function othersMayList(dir: string): boolean {
  try {
    return (statSync(dir).mode & 0o005) === 0o005;
  } catch {
    return false;
  }
}

/** How the project run in place is protected at this isolation level. */
function projectNote(level: IsolationLevel, root: string | undefined): string {
  if (root === undefined) return '';
  // bwrap 0.8 (Debian 12) has no --overlay: the project is read-only, and writes the tests make
  // next to their files fail; HOME and TMPDIR point into the private work dir.
  return level === 'rlimits'
    ? `; project ${root} used in place and NOT write-protected`
    : `; project ${root} read-only at its own path`;
}

/** Files only root may read that a run as root without capabilities must still not see. */
const ROOT_SECRETS = ['/etc/shadow', '/etc/gshadow', '/etc/sudoers'];

function cancelled(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('The sandbox run was cancelled.');
}

async function chownTree(dir: string, uid: number): Promise<void> {
  await chown(dir, uid, uid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(full, uid);
    else await chown(full, uid, uid);
  }
}

/**
 * Writes the job's files into the run's host folder and returns the work dir as the sandboxed
 * process will see it (bwrap and unshare copy the files into their tmpfs there).
 */
async function placeJobFiles(hostDir: string, plan: Plan, job: PreparedJob): Promise<string> {
  const inputDir = localInputDir(hostDir);
  await mkdir(inputDir, { mode: 0o755 });
  await writeJobFiles(inputDir, job);
  const workDir = localWorkDir(plan.level, hostDir);
  if (plan.level === 'unshare') await mkdir(workDir, { mode: 0o755 });
  if (plan.level === 'rlimits' && plan.dropToNobody) await chownTree(inputDir, NOBODY);
  return workDir;
}

/** The child's end as a sandbox result; a wrapper that could not start is our error, not the code's. */
function classify(
  outcome: ChildOutcome,
  plan: Plan,
  run: { readonly isolation: string; readonly limits: Limits; readonly wallMs: number },
  errorResult: (message: string) => SandboxResult,
): SandboxResult {
  const { isolation, limits, wallMs } = run;
  if (outcome.spawnError) return errorResult(`Could not start the sandbox: ${outcome.spawnError}`);
  if (outcome.diskExceeded) {
    return {
      kind: 'crashed',
      signal: 'SIGKILL',
      message: `Stopped: the code wrote more than ${plan.workDirMb} MB into its work dir.`,
      sandbox: 'local',
      isolation,
      wallMs,
      output: outcome.stderr.tail.slice(-4000),
    };
  }
  const infraFailure = /^(bwrap|unshare|setpriv|prlimit|afterburner-[a-z]+): /m.exec(outcome.stderr.head);
  if (infraFailure && outcome.exitCode !== 0 && !outcome.timedOut && !outcome.oomKilled) {
    return errorResult(
      `The local sandbox could not start: ${outcome.stderr.head.trim().split('\n').slice(0, 3).join(' ')}`,
    );
  }
  return toSandboxResult(
    {
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      exitCodeCarriesSignal: plan.level !== 'rlimits',
      timedOut: outcome.timedOut,
      oomKilled: outcome.oomKilled,
    },
    { sandbox: 'local', isolation, wallMs, limits },
  );
}

export function describeIsolation(
  capabilities: LocalCapabilities,
  plan: Plan,
  limits: Limits,
  maxProcesses: number,
): string {
  const cpuSeconds = Math.ceil(limits.timeoutMs / 1000) + 2;
  const user = plan.dropToNobody
    ? ', uid nobody'
    : capabilities.root
      ? plan.level === 'bwrap'
        ? ', uid root without capabilities'
        : ', uid root'
      : '';
  const parts: string[] = [];
  switch (plan.level) {
    case 'bwrap':
      parts.push(
        `local: bwrap (no network, pid/ipc/uts namespaces, read-only system dirs, no home dirs, private /tmp + work dir tmpfs ≤ ${plan.workDirMb} MB${user})`,
      );
      break;
    case 'unshare':
      parts.push(
        `local: unshare (no network, pid namespace, work dir tmpfs ≤ ${plan.workDirMb} MB${user}; filesystem NOT isolated)`,
      );
      break;
    case 'rlimits':
      parts.push(
        `local: rlimits only${user} — network and filesystem are NOT isolated; work dir watched ≤ ${plan.workDirMb} MB`,
      );
      break;
  }
  if (plan.cgroup) parts.push(`cgroup memory ${limits.memoryMb} MB, pids ≤ ${maxProcesses}`);
  else {
    const processes = plan.dropToNobody
      ? ''
      : plan.level === 'rlimits'
        ? ', process count not bounded, processes that leave the session may survive'
        : ', process count not bounded';
    parts.push(`no cgroup: memory bounded by address space only${processes}`);
  }
  const addressSpace = plan.cgroup ? '' : `address space ${pythonAddressSpaceMb(limits.memoryMb)} MB for Python, `;
  parts.push(`rlimits (${addressSpace}cpu ${cpuSeconds} s, file size, open files)`);
  return parts.join(', ');
}

export function createLocalSandbox(options: LocalSandboxOptions = {}): Sandbox {
  const harnessDir = options.harnessDir ?? defaultHarnessDir();
  const maxProcesses = options.maxProcesses ?? 128;
  const prefix = options.workDirPrefix ?? LOCAL_WORKDIR_PREFIX;
  const running = new Set<() => void>();

  function levelFor(capabilities: LocalCapabilities): IsolationLevel {
    const best = bestLevel(capabilities);
    const wanted = options.isolation && options.isolation !== 'auto' ? options.isolation : best;
    const order: IsolationLevel[] = ['bwrap', 'unshare', 'rlimits'];
    // Never stronger than what works here.
    return order.indexOf(wanted) >= order.indexOf(best) ? wanted : best;
  }

  function plan(capabilities: LocalCapabilities, limits: Limits, python?: PythonInstall, projectRoot?: string): Plan {
    const level = levelFor(capabilities);
    const cgroup = capabilities.cgroup !== undefined && options.cgroup !== false;
    // bwrap binds what the run needs as root before it drops to nobody (see localCommandLine.ts);
    // without it nobody must be able to reach everything on the host itself, else the run keeps root.
    // A project folder private to root (0700) stays private: the run keeps uid root then, without
    // capabilities (bwrap's user namespace), rather than changing the modes of the user's files.
    const reachable =
      (level === 'bwrap' &&
        (projectRoot === undefined || othersMayList(projectRoot)) &&
        // Likewise an interpreter whose folder is private (a venv made under a 0700 folder).
        (python === undefined || python.prefixes.every(othersMayList))) ||
      (reachableByOthers(harnessDir) &&
        (python === undefined || reachableByOthers(python.executable)) &&
        (projectRoot === undefined || reachableByOthers(projectRoot)));
    const dropToNobody = capabilities.root && capabilities.setpriv !== undefined && reachable;
    const requested = options.workDirMb ?? 128;
    // tmpfs pages count against the cgroup: keep the disk limit below the memory limit so a
    // disk fill ends in "no space left" rather than an OOM kill.
    const workDirMb = Math.max(
      8,
      cgroup && level !== 'rlimits' ? Math.min(requested, Math.floor(limits.memoryMb / 2)) : requested,
    );
    return { level, dropToNobody, cgroup, workDirMb, ...(python ? { python } : {}) };
  }

  function pythonFor(capabilities: LocalCapabilities): PythonInstall | undefined {
    const preferred = probePython(options.python ?? 'python3');
    // A root-run sandbox drops to nobody, who may not reach a Python under /root (pyenv): then
    // the system Python is the one it has always run. (bwrap could bind it now; which interpreter
    // runs becomes the project's choice, not a side effect of where it is installed.)
    // An interpreter the user named is never swapped.
    if (
      preferred &&
      options.python === undefined &&
      capabilities.root &&
      capabilities.setpriv &&
      !reachableByOthers(preferred.executable)
    ) {
      const system = probePython('/usr/bin/python3');
      if (system && reachableByOthers(system.executable)) return system;
    }
    return preferred;
  }

  return {
    describe(): SandboxDescription {
      const capabilities = probeLocalCapabilities();
      const limits = options.defaultLimits ?? DEFAULT_LIMITS;
      return {
        sandbox: 'local',
        isolation: describeIsolation(capabilities, plan(capabilities, limits), limits, maxProcesses),
      };
    },

    async run(job: SandboxJob, signal?: AbortSignal): Promise<SandboxResult> {
      if (signal?.aborted) throw cancelled(signal);
      const started = Date.now();
      const capabilities = probeLocalCapabilities();
      const spec = harnessOf(job.language);
      const python = spec.runtime === 'cpython' ? pythonFor(capabilities) : undefined;
      const runPlan = plan(capabilities, job.limits, python, job.project?.root);
      const isolation =
        describeIsolation(capabilities, runPlan, job.limits, maxProcesses) +
        projectNote(runPlan.level, job.project?.root) +
        (python ? `; python ${python.executable} (${python.version})` : '');
      const errorResult = (message: string): SandboxResult => ({
        kind: 'error',
        message,
        sandbox: 'local',
        isolation,
        wallMs: Date.now() - started,
        output: '',
      });

      if (spec.runtime === 'cpython' && !python)
        return errorResult(
          options.python !== undefined
            ? `The Python interpreter '${options.python}' does not run: check the one chosen (--python, the setting afterburner.python.interpreter, the Python extension's selection, or the project's environment).`
            : 'No Python 3 found: install python3 or put it on PATH.',
        );
      const script = path.join(harnessDir, spec.script);
      if (!existsSync(script)) return errorResult(`The sandbox harness is missing: ${script} does not exist.`);
      const prepared = prepareJob(job);
      if (prepared.kind === 'error') return errorResult(prepared.message);

      const hostDir = await makeWorkDir(prefix, true);
      let cgroup: RunCgroup | undefined;
      try {
        const workDir = await placeJobFiles(hostDir, runPlan, prepared.job);
        const node = spec.runtime === 'node' ? probeNode() : undefined;
        if (runPlan.cgroup && capabilities.cgroup) {
          try {
            cgroup = await createRunCgroup(capabilities.cgroup, path.basename(hostDir), {
              memoryMb: job.limits.memoryMb,
              maxProcesses,
            });
          } catch (err) {
            return errorResult(`Could not create the run's cgroup: ${errorMessage(err)}.`);
          }
        }
        const command = localCommandLine({
          level: runPlan.level,
          tools: capabilities,
          language: job.language,
          limits: job.limits,
          workDirMb: runPlan.workDirMb,
          maxProcesses,
          ...(runPlan.dropToNobody && capabilities.setpriv
            ? { dropPrivileges: [capabilities.setpriv, ...dropPrivilegeArgs()] }
            : {}),
          systemMounts: runPlan.level === 'bwrap' ? systemMountArgs() : [],
          readOnlyDirs: [
            ...(python?.prefixes ?? []),
            ...(node ? [node.prefix] : []),
            harnessDir,
            ...linkedNodeModules(job.workspaceRoot),
          ],
          ...(job.workspaceRoot ? { optionalReadOnlyDir: job.workspaceRoot } : {}),
          ...(job.project ? { projectRoot: path.resolve(job.project.root) } : {}),
          ...(capabilities.root && !runPlan.dropToNobody
            ? { maskedFiles: ROOT_SECRETS.filter((f) => existsSync(f)) }
            : {}),
          hostDir,
          workDir,
          harness: harnessCommand(job.language, {
            harnessDir,
            jobFile: path.posix.join(workDir, 'job.json'),
            python: python?.executable,
            node: node?.executable,
            memoryMb: job.limits.memoryMb,
          }),
          ...(node ? { extraEnv: node.env } : {}),
          ...(job.workspaceRoot !== undefined ? { workspaceRoot: job.workspaceRoot } : {}),
          ...(cgroup ? { cgroupProcsFiles: cgroup.procsFiles } : {}),
        });

        let kill: (() => void) | undefined;
        const outcome = await runLocalChild(command, {
          timeoutMs: job.limits.timeoutMs,
          ...(signal ? { signal } : {}),
          ...(cgroup ? { cgroup } : {}),
          ...(runPlan.level === 'rlimits' ? { watch: { dir: workDir, bytes: runPlan.workDirMb * 1024 * 1024 } } : {}),
          onStart: (killRun) => {
            kill = killRun;
            running.add(killRun);
          },
        });
        cgroup = undefined;
        if (kill) running.delete(kill);
        if (outcome.aborted && signal) throw cancelled(signal);
        return classify(outcome, runPlan, { isolation, limits: job.limits, wallMs: Date.now() - started }, errorResult);
      } finally {
        if (cgroup) await cgroup.destroy();
        await removeWorkDir(hostDir);
      }
    },

    async dispose(): Promise<void> {
      for (const kill of running) kill();
      running.clear();
    },
  };
}
