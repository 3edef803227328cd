/**
 * The local sandbox's command line, as a pure function of what this machine offers and what the
 * run needs: which wrappers (cgroup entry, prlimit, bwrap or unshare, setpriv) are chained in
 * front of the harness, with which arguments, environment and working directory. Everything that
 * needs the file system (probing tools, checking who can read a folder) is decided before and
 * passed in, so each isolation level's exact argv can be unit-tested.
 */
import path from 'node:path';
import type { Language, Limits } from '../core/sandboxTypes';
import type { HarnessCommand } from './harnessRun';
import type { IsolationLevel } from './localIsolation';
import { harnessOf } from '../languages/registry';

/** Where the tools live; a missing tool makes its level unavailable. */
export interface LocalTools {
  readonly bwrap?: string;
  readonly unshare?: string;
  readonly prlimit?: string;
}

export interface LocalCommandInput {
  readonly level: IsolationLevel;
  readonly tools: LocalTools;
  readonly language: Language;
  readonly limits: Limits;
  /** Size of the work dir tmpfs (and the file-size rlimit). */
  readonly workDirMb: number;
  /** RLIMIT_NPROC for a run as nobody. */
  readonly maxProcesses: number;
  /** The setpriv command (path, arguments, `--`) that drops to nobody; absent when the run keeps its user. */
  readonly dropPrivileges?: readonly string[];
  /** bwrap arguments that mount the system folders read-only (see `systemMountArgs`). */
  readonly systemMounts: readonly string[];
  /** Folders bound read-only at their own path inside bwrap (interpreter prefixes, the harness). */
  readonly readOnlyDirs: readonly string[];
  /** A folder bound read-only if it exists (the workspace with the JS test runners). */
  readonly optionalReadOnlyDir?: string;
  /**
   * The user's project, seen read-only at its own absolute path (bwrap: a read-only bind; unshare:
   * a read-only bind mount in its mount namespace; rlimits: as it is, NOT protected).
   */
  readonly projectRoot?: string;
  /** Files hidden behind /dev/null inside bwrap (secrets readable by the user the run keeps). */
  readonly maskedFiles?: readonly string[];
  /** The run's host folder: holds `in/` (the job's files) and, for unshare, `work/`. */
  readonly hostDir: string;
  /** The work dir as the sandboxed process sees it (see `localWorkDir`). */
  readonly workDir: string;
  /** The harness command, with paths as the sandboxed process sees them. */
  readonly harness: HarnessCommand;
  /** Extra environment (Electron's node needs ELECTRON_RUN_AS_NODE). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** The workspace whose node_modules hold the JS test runners. */
  readonly workspaceRoot?: string;
  /**
   * `cgroup.procs` files the run's first shell enters before anything else runs. The cgroup then
   * bounds memory, and no address-space limit is set (it would count reservations, not use).
   */
  readonly cgroupProcsFiles?: readonly string[];
}

export interface LocalCommand {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The host directory the first process starts in. */
  readonly cwd: string;
}

/** Inside bwrap the job's input is mounted here read-only and copied into the tmpfs work dir. */
export const INPUT_MOUNT = '/afterburner-in';
/**
 * The address-space limit of a Python run with no cgroup to bound its memory: a last resort, far
 * above the memory limit, because every thread reserves (not uses) a stack and a malloc arena of
 * 64 MB: ten threads reserve ~700 MB beyond what they touch.
 */
export function pythonAddressSpaceMb(memoryMb: number): number {
  return 2 * memoryMb + 1024;
}
/** Mounted anyway by `systemMountArgs`; binding below them again is pointless. */
const SYSTEM_PREFIXES = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc'];
const MB = 1024 * 1024;

/** The folder the job's files are written to on the host. */
export function localInputDir(hostDir: string): string {
  return path.join(hostDir, 'in');
}

/** The work dir as the sandboxed process sees it; its name (the run's) marks the run's command lines. */
export function localWorkDir(level: IsolationLevel, hostDir: string): string {
  switch (level) {
    case 'bwrap':
      return `/tmp/${path.basename(hostDir)}`;
    case 'unshare':
      return path.join(hostDir, 'work');
    case 'rlimits':
      return localInputDir(hostDir);
  }
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** prlimit arguments: CPU seconds a little past the wall limit, file size, open files, and more. */
export function rlimitArgs(input: LocalCommandInput): string[] {
  const cpuSeconds = Math.ceil(input.limits.timeoutMs / 1000) + 2;
  return [
    ...(harnessOf(input.language).addressSpaceLimit && (input.cgroupProcsFiles ?? []).length === 0
      ? [`--as=${pythonAddressSpaceMb(input.limits.memoryMb) * MB}`]
      : []),
    `--cpu=${cpuSeconds}:${cpuSeconds + 1}`,
    `--fsize=${input.workDirMb * MB}`,
    '--nofile=256',
    // RLIMIT_NPROC binds every user but root; nobody's count is this run's processes.
    ...(input.dropPrivileges ? [`--nproc=${input.maxProcesses}`] : []),
  ];
}

/** The scrubbed environment: nothing of the host's but what the interpreter needs to start. */
export function localEnv(input: LocalCommandInput): Record<string, string> {
  return {
    PATH: [path.dirname(input.harness.command), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    LANG: 'C.UTF-8',
    HOME: input.workDir,
    TMPDIR: input.workDir,
    ...(input.extraEnv ?? {}),
    // Test runners (jest, vitest) come from the workspace's node_modules, mounted read-only.
    ...(harnessOf(input.language).usesWorkspace && input.workspaceRoot
      ? { NODE_PATH: path.join(input.workspaceRoot, 'node_modules') }
      : {}),
  };
}

/** `--dir` for each folder above `dir` that the new root lacks, so the path can be walked by anyone. */
function ancestorDirs(dirs: readonly string[]): string[] {
  const made = new Set<string>(['/', '/tmp']);
  const args: string[] = [];
  for (const dir of dirs) {
    const ancestors: string[] = [];
    for (let up = path.dirname(dir); !made.has(up) && up !== path.dirname(up); up = path.dirname(up))
      ancestors.unshift(up);
    for (const up of ancestors) {
      if (SYSTEM_PREFIXES.some((p) => up === p || up.startsWith(p + '/'))) continue;
      made.add(up);
      args.push('--dir', up);
    }
  }
  return args;
}

/**
 * bwrap for a run that keeps its user: every namespace including a user namespace. For a run
 * that drops to nobody (started as root): bwrap runs as root without a user namespace, so it can
 * bind folders nobody could not reach on the host (a project or a pyenv under a 0700 home: only
 * their ancestors are unreadable, and inside those are new 0755 folders), then setpriv drops to
 * nobody before anything of the job runs. Root keeps only the capabilities setpriv needs; the
 * files themselves keep their modes, so nobody reads what others may read, and nothing is written.
 */
function bwrapChain(bwrap: string, input: LocalCommandInput, inner: readonly string[]): string[] {
  const binds: string[] = [];
  const boundDirs: string[] = [];
  const readOnly = (dir: string): void => {
    if (SYSTEM_PREFIXES.some((p) => dir === p || dir.startsWith(p + '/'))) return;
    binds.push('--ro-bind', dir, dir);
    boundDirs.push(dir);
  };
  input.readOnlyDirs.forEach(readOnly);
  if (input.projectRoot !== undefined) readOnly(input.projectRoot);
  // A folder at or above /tmp would cover the private work dir; it is left out then.
  const optional = input.optionalReadOnlyDir;
  if (optional !== undefined && !`${input.workDir}/`.startsWith(`${path.resolve(optional)}/`)) {
    binds.push('--ro-bind-try', optional, optional);
    boundDirs.push(optional);
  }
  const drop = input.dropPrivileges;
  const namespaces = drop
    ? ['--unshare-net', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try']
    : ['--unshare-all'];
  const capabilities = drop
    ? ['--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_SETPCAP']
    : ['--cap-drop', 'ALL'];
  return [
    bwrap,
    ...namespaces,
    '--die-with-parent',
    '--new-session',
    ...capabilities,
    ...input.systemMounts,
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--perms',
    '1777',
    '--size',
    String(input.workDirMb * MB),
    '--tmpfs',
    '/tmp',
    '--perms',
    '1777',
    '--size',
    String(16 * MB),
    '--tmpfs',
    '/dev/shm',
    // After the tmpfs mounts, so folders under the host's /tmp stay visible.
    ...ancestorDirs(boundDirs),
    ...binds,
    ...(input.maskedFiles ?? []).flatMap((file) => ['--ro-bind', '/dev/null', file]),
    '--ro-bind',
    localInputDir(input.hostDir),
    INPUT_MOUNT,
    '--perms',
    '1777',
    '--dir',
    input.workDir,
    '--chdir',
    input.workDir,
    '--',
    ...(drop ?? []),
    '/bin/sh',
    '-c',
    `cp -R ${INPUT_MOUNT}/. . && exec "$@"`,
    'afterburner-copy',
    ...inner,
  ];
}

function unshareChain(unshare: string, input: LocalCommandInput, inner: readonly string[]): string[] {
  const workDir = shellQuote(input.workDir);
  const setup = [
    `mount -t tmpfs -o size=${input.workDirMb}m,mode=0755 afterburner ${workDir}`,
    `cp -R ${shellQuote(localInputDir(input.hostDir))}/. ${workDir}/`,
    // The project read-only at its own path, in this mount namespace only.
    ...(input.projectRoot !== undefined
      ? [
          `mount --bind ${shellQuote(input.projectRoot)} ${shellQuote(input.projectRoot)}`,
          `mount -o remount,bind,ro ${shellQuote(input.projectRoot)}`,
        ]
      : []),
    ...(input.dropPrivileges ? [`chown -R 65534:65534 ${workDir}`] : []),
    `cd ${workDir}`,
    'exec "$@"',
  ].join(' && ');
  return [
    unshare,
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
    ...(input.dropPrivileges ?? []),
    ...inner,
  ];
}

/**
 * The whole chain, outermost first: [cgroup entry shell] → [prlimit] → then either bwrap →
 * [setpriv] → copy shell → harness, or unshare → mount shell → [setpriv] → harness (its mounts
 * need root), or [setpriv] → harness.
 */
export function localCommandLine(input: LocalCommandInput): LocalCommand {
  const inner = [input.harness.command, ...input.harness.args];
  const { bwrap, unshare, prlimit } = input.tools;
  let chain: string[];
  if (input.level === 'bwrap' && bwrap) chain = bwrapChain(bwrap, input, inner);
  else if (input.level === 'unshare' && unshare) chain = unshareChain(unshare, input, inner);
  else chain = [...(input.dropPrivileges ?? []), ...inner];
  if (prlimit) chain = [prlimit, ...rlimitArgs(input), '--', ...chain];
  const procs = input.cgroupProcsFiles ?? [];
  if (procs.length > 0) {
    // The shell enters the group before it execs anything untrusted: no window to escape.
    const join = procs.map((f) => `echo $$ > ${shellQuote(f)}`).join(' && ');
    chain = ['/bin/sh', '-c', `${join} && exec "$@"`, 'afterburner-cgroup', ...chain];
  }
  return { argv: chain, env: localEnv(input), cwd: input.level === 'rlimits' ? input.workDir : input.hostDir };
}
