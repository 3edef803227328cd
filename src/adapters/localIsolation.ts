/**
 * What process isolation this machine offers a local sandbox, probed once per process:
 * bubblewrap namespaces, `unshare` (root), a cgroup for memory and process limits (root),
 * `setpriv` to drop to an unprivileged user (root), and `prlimit` for rlimits.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CgroupFlavour } from './cgroupLimits';
import { detectCgroups } from './cgroupLimits';
import { findOnPath } from './harnessRun';
import { errorMessage } from '../core/errorMessage';

/** The strongest first: namespaces by bwrap, namespaces by unshare, or rlimits alone. */
export type IsolationLevel = 'bwrap' | 'unshare' | 'rlimits';

export interface LocalCapabilities {
  readonly root: boolean;
  readonly bwrap?: string;
  readonly unshare?: string;
  readonly setpriv?: string;
  readonly prlimit?: string;
  readonly cgroup?: CgroupFlavour;
  /** Why bwrap is not usable, when it is installed but fails. */
  readonly bwrapProblem?: string;
}

/** The unprivileged user a root-run sandbox drops to. */
export const NOBODY = 65534;

/** System folders a sandbox mounts read-only: enough to run interpreters, no home dirs. */
export const SYSTEM_DIRS = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'etc'] as const;

/** bwrap arguments that mount the system folders (symlinked ones, as on merged-/usr, as symlinks). */
export function systemMountArgs(): string[] {
  const args: string[] = [];
  for (const name of SYSTEM_DIRS) {
    const dir = `/${name}`;
    try {
      const target = realpathSync(dir);
      if (target !== dir) {
        args.push('--symlink', path.relative('/', target), dir);
      } else if (statSync(dir).isDirectory()) {
        args.push('--ro-bind', dir, dir);
      }
    } catch {
      // not on this system
    }
  }
  return args;
}

function works(command: string, args: readonly string[]): string | undefined {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000, cwd: '/' });
    return undefined;
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return stderr || errorMessage(err);
  }
}

let cached: LocalCapabilities | undefined;

export function probeLocalCapabilities(): LocalCapabilities {
  if (cached) return cached;
  const root = process.getuid?.() === 0;
  const setpriv = root ? findOnPath('setpriv') : undefined;
  const bwrapPath = findOnPath('bwrap');
  let bwrap: string | undefined;
  let bwrapProblem: string | undefined;
  if (bwrapPath) {
    // Try exactly the shape of a real run: as root, bwrap without a user namespace that drops to
    // nobody inside (see localCommandLine.ts); otherwise all namespaces as the user.
    const namespaces = setpriv
      ? ['--unshare-net', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try']
      : ['--unshare-all'];
    const caps = setpriv ? ['--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_SETPCAP'] : [];
    const trial = [
      bwrapPath,
      ...namespaces,
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
      ...caps,
      ...systemMountArgs(),
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--tmpfs',
      '/tmp',
      ...(setpriv ? [setpriv, ...dropPrivilegeArgs()] : []),
      'true',
    ];
    const [command, ...args] = trial;
    bwrapProblem = works(command ?? bwrapPath, args);
    if (!bwrapProblem) bwrap = bwrapPath;
  }
  const unshare = root ? findOnPath('unshare') : undefined;
  cached = {
    root,
    ...(bwrap ? { bwrap } : {}),
    ...(bwrapProblem ? { bwrapProblem } : {}),
    ...(unshare ? { unshare } : {}),
    ...(setpriv ? { setpriv } : {}),
    ...(findOnPath('prlimit') ? { prlimit: findOnPath('prlimit') } : {}),
    ...(detectCgroups() ? { cgroup: detectCgroups() } : {}),
  };
  return cached;
}

/** setpriv arguments (before the command) that drop to nobody with no way back. */
export function dropPrivilegeArgs(): string[] {
  return [
    `--reuid=${NOBODY}`,
    `--regid=${NOBODY}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}

export function bestLevel(capabilities: LocalCapabilities): IsolationLevel {
  if (capabilities.bwrap) return 'bwrap';
  if (capabilities.unshare) return 'unshare';
  return 'rlimits';
}

/** True when an unprivileged user can reach `target` (every ancestor searchable, target readable). */
export function reachableByOthers(target: string): boolean {
  try {
    const real = realpathSync(target);
    const info = statSync(real);
    const needed = info.isDirectory() ? 0o005 : 0o004;
    if ((info.mode & needed) !== needed) return false;
    for (let dir = path.dirname(real); ; dir = path.dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) return false;
      if (dir === '/') return true;
    }
  } catch {
    return false;
  }
}
