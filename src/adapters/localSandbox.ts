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
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Limits, Sandbox, SandboxDescription, SandboxJob, SandboxResult } from '../core/sandboxTypes';
import type { RunCgroup } from './cgroupLimits';
import { createRunCgroup } from './cgroupLimits';
import type { PythonInstall } from './harnessRun';
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
import type { IsolationLevel, LocalCapabilities } from './localIsolation';
import {
  NOBODY,
  bestLevel,
  dropPrivilegeArgs,
  probeLocalCapabilities,
  reachableByOthers,
  systemMountArgs,
} from './localIsolation';
import { createOutputCapture } from './outputCapture';
import { errorMessage } from '../core/errorMessage';
import { harnessOf } from '../languages/registry';

export interface LocalSandboxOptions {
  /** The repo's `sandbox/` folder with the harnesses. */
  readonly harnessDir?: string;
  /** Python to run the harness with (a name on PATH or a path). Default `python3`. */
  readonly python?: string;
  /** Force a weaker level than the best available (tests of the fallbacks). */
  readonly isolation?: 'auto' | IsolationLevel;
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
/** Inside bwrap the job's input is mounted here read-only and copied into the tmpfs work dir. */
const INPUT_MOUNT = '/afterburner-in';
/** Address space Python may use beyond the memory limit: thread stacks and malloc arenas are reserved, not used. */
const PYTHON_AS_HEADROOM_MB = 256;

interface Plan {
  readonly level: IsolationLevel;
  readonly dropToNobody: boolean;
  readonly cgroup: boolean;
  readonly workDirMb: number;
  readonly python?: PythonInstall;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function cancelled(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('The sandbox run was cancelled.');
}

/** Total bytes under `dir` (files only), stopping early once past `limit`. */
async function treeBytes(dir: string, limit: number): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0 && total <= limit) {
    const current = stack.pop() as string;
    let names: string[];
    try {
      names = await readdir(current);
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const info = await lstat(path.join(current, name));
        if (info.isDirectory()) stack.push(path.join(current, name));
        else total += info.size;
      } catch {
        // vanished meanwhile
      }
    }
  }
  return total;
}

async function chownTree(dir: string, uid: number): Promise<void> {
  await chown(dir, uid, uid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(full, uid);
    else await chown(full, uid, uid);
  }
}

export function describeIsolation(
  capabilities: LocalCapabilities,
  plan: Plan,
  limits: Limits,
  maxProcesses: number,
): string {
  const cpuSeconds = Math.ceil(limits.timeoutMs / 1000) + 2;
  const user = plan.dropToNobody ? ', uid nobody' : capabilities.root ? ', uid root' : '';
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
  parts.push(`rlimits (address space, cpu ${cpuSeconds} s, file size, open files)`);
  return parts.join(', ');
}

export function createLocalSandbox(options: LocalSandboxOptions = {}): Sandbox {
  const harnessDir = options.harnessDir ?? defaultHarnessDir();
  const maxProcesses = options.maxProcesses ?? 128;
  const prefix = options.workDirPrefix ?? LOCAL_WORKDIR_PREFIX;
  const running = new Set<() => void>();

  function plan(capabilities: LocalCapabilities, limits: Limits, python?: PythonInstall): Plan {
    const best = bestLevel(capabilities);
    const wanted = options.isolation && options.isolation !== 'auto' ? options.isolation : best;
    const order: IsolationLevel[] = ['bwrap', 'unshare', 'rlimits'];
    // Never stronger than what works here.
    const level = order.indexOf(wanted) >= order.indexOf(best) ? wanted : best;
    const cgroup = capabilities.cgroup !== undefined;
    const reachable = reachableByOthers(harnessDir) && (python === undefined || reachableByOthers(python.executable));
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
    // A root-run sandbox drops to nobody, who may not reach a Python under /root (pyenv):
    // then the system Python is the one that can run there.
    if (preferred && capabilities.root && capabilities.setpriv && !reachableByOthers(preferred.executable)) {
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
      const runPlan = plan(capabilities, job.limits, python);
      const isolation = describeIsolation(capabilities, runPlan, job.limits, maxProcesses);
      const errorResult = (message: string): SandboxResult => ({
        kind: 'error',
        message,
        sandbox: 'local',
        isolation,
        wallMs: Date.now() - started,
        output: '',
      });

      if (spec.runtime === 'cpython' && !python)
        return errorResult('No Python 3 found: install python3 or put it on PATH.');
      const script = path.join(harnessDir, spec.script);
      if (!existsSync(script)) return errorResult(`The sandbox harness is missing: ${script} does not exist.`);
      const prepared = prepareJob(job);
      if (prepared.kind === 'error') return errorResult(prepared.message);

      const hostDir = await makeWorkDir(prefix, true);
      const runName = path.basename(hostDir);
      let cgroup: RunCgroup | undefined;
      try {
        const inputDir = path.join(hostDir, 'in');
        await mkdir(inputDir, { mode: 0o755 });
        await writeJobFiles(inputDir, prepared.job);
        // The work dir as the sandboxed process sees it; its name marks the run's command lines.
        const workDir =
          runPlan.level === 'bwrap'
            ? `/tmp/${runName}`
            : runPlan.level === 'unshare'
              ? path.join(hostDir, 'work')
              : inputDir;
        if (runPlan.level === 'unshare') await mkdir(workDir, { mode: 0o755 });
        if (runPlan.level === 'rlimits' && runPlan.dropToNobody) await chownTree(inputDir, NOBODY);

        const node = spec.runtime === 'node' ? probeNode() : undefined;
        const harness = harnessCommand(job.language, {
          harnessDir,
          jobFile: path.posix.join(workDir, 'job.json'),
          python: python?.executable,
          node: node?.executable,
          memoryMb: job.limits.memoryMb,
        });
        const interpreterDir = path.dirname(harness.command);
        const env: Record<string, string> = {
          PATH: [interpreterDir, '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
          LANG: 'C.UTF-8',
          HOME: workDir,
          TMPDIR: workDir,
          ...(node?.env ?? {}),
          // Test runners (jest, vitest) come from the workspace's node_modules, mounted read-only.
          ...(node && job.workspaceRoot ? { NODE_PATH: path.join(job.workspaceRoot, 'node_modules') } : {}),
        };

        const mb = 1024 * 1024;
        const cpuSeconds = Math.ceil(job.limits.timeoutMs / 1000) + 2;
        const rlimits = [
          ...(spec.addressSpaceLimit ? [`--as=${(job.limits.memoryMb + PYTHON_AS_HEADROOM_MB) * mb}`] : []),
          `--cpu=${cpuSeconds}:${cpuSeconds + 1}`,
          `--fsize=${runPlan.workDirMb * mb}`,
          '--nofile=256',
          // RLIMIT_NPROC binds every user but root; nobody's count is this run's processes.
          ...(runPlan.dropToNobody ? [`--nproc=${maxProcesses}`] : []),
        ];
        const dropArgs =
          runPlan.dropToNobody && capabilities.setpriv ? [capabilities.setpriv, ...dropPrivilegeArgs()] : [];
        const inner = [harness.command, ...harness.args];

        let chain: string[];
        if (runPlan.level === 'bwrap' && capabilities.bwrap) {
          const binds: string[] = [];
          const bindRo = (dir: string): void => {
            if (!SYSTEM_PREFIXES.some((p) => dir === p || dir.startsWith(p + '/'))) binds.push('--ro-bind', dir, dir);
          };
          for (const dir of python?.prefixes ?? []) bindRo(dir);
          if (node) bindRo(node.prefix);
          bindRo(harnessDir);
          // A workspace at or above /tmp would cover the private work dir; it is left out then. So is
          // one that nobody cannot read (e.g. under a 0700 home): bwrap runs as nobody and would
          // refuse to start; without it only the workspace's own jest/vitest are unavailable.
          if (
            job.workspaceRoot &&
            !`${workDir}/`.startsWith(`${path.resolve(job.workspaceRoot)}/`) &&
            (!runPlan.dropToNobody || reachableByOthers(job.workspaceRoot))
          ) {
            binds.push('--ro-bind-try', job.workspaceRoot, job.workspaceRoot);
          }
          chain = [
            ...dropArgs,
            capabilities.bwrap,
            '--unshare-all',
            '--die-with-parent',
            '--new-session',
            '--cap-drop',
            'ALL',
            ...systemMountArgs(),
            '--proc',
            '/proc',
            '--dev',
            '/dev',
            '--size',
            String(runPlan.workDirMb * mb),
            '--tmpfs',
            '/tmp',
            '--size',
            String(16 * mb),
            '--tmpfs',
            '/dev/shm',
            // After the tmpfs mounts, so folders under the host's /tmp stay visible.
            ...binds,
            '--ro-bind',
            inputDir,
            INPUT_MOUNT,
            '--dir',
            workDir,
            '--chdir',
            workDir,
            '--',
            '/bin/sh',
            '-c',
            `cp -R ${INPUT_MOUNT}/. . && exec "$@"`,
            'afterburner-copy',
            ...inner,
          ];
        } else if (runPlan.level === 'unshare' && capabilities.unshare) {
          const setup = [
            `mount -t tmpfs -o size=${runPlan.workDirMb}m,mode=0755 afterburner ${shellQuote(workDir)}`,
            `cp -R ${shellQuote(inputDir)}/. ${shellQuote(workDir)}/`,
            ...(runPlan.dropToNobody ? [`chown -R ${NOBODY}:${NOBODY} ${shellQuote(workDir)}`] : []),
            `cd ${shellQuote(workDir)}`,
            'exec "$@"',
          ].join(' && ');
          chain = [
            capabilities.unshare,
            '--net',
            '--pid',
            '--fork',
            '--mount-proc',
            '--ipc',
            '--uts',
            '--kill-child',
            '--',
            '/bin/sh',
            '-c',
            setup,
            'afterburner-mount',
            ...dropArgs,
            ...inner,
          ];
        } else {
          chain = [...dropArgs, ...inner];
        }
        if (capabilities.prlimit) chain = [capabilities.prlimit, ...rlimits, '--', ...chain];

        if (runPlan.cgroup && capabilities.cgroup) {
          try {
            cgroup = await createRunCgroup(capabilities.cgroup, runName, {
              memoryMb: job.limits.memoryMb,
              maxProcesses,
            });
          } catch (err) {
            return errorResult(`Could not create the run's cgroup: ${errorMessage(err)}.`);
          }
          // The shell enters the group before it execs anything untrusted: no window to escape.
          const join = cgroup.procsFiles.map((f) => `echo $$ > ${shellQuote(f)}`).join(' && ');
          chain = ['/bin/sh', '-c', `${join} && exec "$@"`, 'afterburner-cgroup', ...chain];
        }

        const [command, ...args] = chain;
        const stdout = createOutputCapture();
        const stderr = createOutputCapture();
        let timedOut = false;
        let diskExceeded = false;
        let aborted = false;

        const child = spawn(command ?? '/bin/sh', args, {
          cwd: runPlan.level === 'rlimits' ? workDir : hostDir,
          env,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const runCgroup = cgroup;
        const killAll = (): void => {
          if (child.pid !== undefined) {
            try {
              process.kill(-child.pid, 'SIGKILL');
            } catch {
              // group already gone
            }
          }
          if (runCgroup)
            void runCgroup.pids().then((pids) =>
              pids.forEach((pid) => {
                try {
                  process.kill(pid, 'SIGKILL');
                } catch {
                  /* gone */
                }
              }),
            );
        };
        running.add(killAll);
        child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        const drained = Promise.all([
          new Promise((r) => child.stdout.once('close', r)),
          new Promise((r) => child.stderr.once('close', r)),
        ]);

        const timer = setTimeout(() => {
          timedOut = true;
          killAll();
        }, job.limits.timeoutMs);
        const onAbort = (): void => {
          aborted = true;
          killAll();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const watchdog =
          runPlan.level === 'rlimits'
            ? setInterval(() => {
                const limit = runPlan.workDirMb * mb;
                void treeBytes(workDir, limit).then((bytes) => {
                  if (bytes > limit) {
                    diskExceeded = true;
                    killAll();
                  }
                });
              }, 250)
            : undefined;

        const exit = await new Promise<{ code: number | null; signal: string | null; spawnError?: string }>(
          (resolve) => {
            child.once('error', (err) => resolve({ code: null, signal: null, spawnError: err.message }));
            child.once('exit', (code, sig) => resolve({ code, signal: sig }));
          },
        );
        clearTimeout(timer);
        if (watchdog) clearInterval(watchdog);
        signal?.removeEventListener('abort', onAbort);
        // Whatever the run left behind dies with it: its process group, then its cgroup.
        killAll();
        // Read before the group is removed with its counters.
        const oomKilled = cgroup ? await cgroup.oomKilled() : false;
        if (cgroup) await cgroup.destroy();
        cgroup = undefined;
        // Output still buffered in the pipes is read to the end (briefly: a stray holder is dead by now).
        await Promise.race([drained, sleep(2000)]);
        child.stdout.destroy();
        child.stderr.destroy();
        running.delete(killAll);
        if (aborted && signal) throw cancelled(signal);
        if (exit.spawnError) return errorResult(`Could not start the sandbox: ${exit.spawnError}`);

        const capturedErr = stderr.result();
        const wallMs = Date.now() - started;
        if (diskExceeded) {
          return {
            kind: 'crashed',
            signal: 'SIGKILL',
            message: `Stopped: the code wrote more than ${runPlan.workDirMb} MB into its work dir.`,
            sandbox: 'local',
            isolation,
            wallMs,
            output: capturedErr.tail.slice(-4000),
          };
        }
        const infraFailure = /^(bwrap|unshare|setpriv|prlimit|afterburner-[a-z]+): /m.exec(capturedErr.head);
        if (infraFailure && exit.code !== 0 && !timedOut && !oomKilled) {
          return errorResult(
            `The local sandbox could not start: ${capturedErr.head.trim().split('\n').slice(0, 3).join(' ')}`,
          );
        }
        return toSandboxResult(
          {
            stdout: stdout.result(),
            stderr: capturedErr,
            exitCode: exit.code,
            signal: exit.signal,
            exitCodeCarriesSignal: runPlan.level !== 'rlimits',
            timedOut,
            oomKilled,
          },
          { sandbox: 'local', isolation, wallMs, limits: job.limits },
        );
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

/** Mounted anyway by `systemMountArgs`; binding below them again is pointless. */
const SYSTEM_PREFIXES = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc'];
