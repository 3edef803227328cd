/**
 * A per-run control group: a true memory limit (counting tmpfs pages the code writes, which an
 * address-space rlimit cannot see), a process-count limit that root cannot ignore (RLIMIT_NPROC
 * does not bind root), OOM-kill detection, and "kill everything in the group". Works with cgroup
 * v1 (memory + pids hierarchies) and with a v2 unified hierarchy that delegates both controllers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const ROOT = '/sys/fs/cgroup';
const PARENT = 'afterburner';

export type CgroupFlavour = 'v1' | 'v2';

export interface RunCgroup {
  readonly flavour: CgroupFlavour;
  /** The files a process writes its pid to, to enter the group (before it runs untrusted code). */
  readonly procsFiles: readonly string[];
  /** True once the kernel's OOM killer has killed a process of this group. */
  oomKilled(): Promise<boolean>;
  /** Pids still in the group. */
  pids(): Promise<number[]>;
  /** SIGKILL every process in the group until it is empty (bounded), then remove the group. */
  destroy(): Promise<void>;
}

/** Which cgroup flavour this process can create groups in, if any (root with v1 or delegated v2). */
export function detectCgroups(): CgroupFlavour | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    if (existsSync(path.join(ROOT, 'memory', 'memory.limit_in_bytes')) && existsSync(path.join(ROOT, 'pids'))) {
      return 'v1';
    }
    const controllers = readFileSync(path.join(ROOT, 'cgroup.controllers'), 'utf8');
    if (/\bmemory\b/.test(controllers) && /\bpids\b/.test(controllers)) return 'v2';
  } catch {
    // no usable cgroup hierarchy
  }
  return undefined;
}

async function readPids(file: string): Promise<number[]> {
  try {
    const text = await readFile(file, 'utf8');
    return text
      .split('\n')
      .filter((l) => l.trim().length > 0)
      .map(Number);
  } catch {
    return [];
  }
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function emptyAndRemove(dirs: readonly string[], procsFiles: readonly string[]): Promise<void> {
  // A fork bomb keeps forking while we kill; the pids limit bounds it, so this converges fast.
  for (let round = 0; round < 200; round++) {
    const pids = (await Promise.all(procsFiles.map(readPids))).flat();
    if (pids.length === 0) break;
    killAll(pids);
    await sleep(round < 10 ? 5 : 25);
  }
  for (const dir of dirs) {
    for (let attempt = 0; attempt < 40; attempt++) {
      try {
        await rmdir(dir);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
        await sleep(25);
      }
    }
  }
}

function oomKillCount(text: string): number {
  const match = /^oom_kill (\d+)$/m.exec(text);
  return match ? Number(match[1]) : 0;
}

/** Creates the group for one run. `name` must be unique (the work dir's name is). */
export async function createRunCgroup(
  flavour: CgroupFlavour,
  name: string,
  limits: { memoryMb: number; maxProcesses: number },
): Promise<RunCgroup> {
  const bytes = String(limits.memoryMb * 1024 * 1024);
  if (flavour === 'v1') {
    const memory = path.join(ROOT, 'memory', PARENT, name);
    const pids = path.join(ROOT, 'pids', PARENT, name);
    await mkdir(memory, { recursive: true });
    await mkdir(pids, { recursive: true });
    await writeFile(path.join(memory, 'memory.limit_in_bytes'), bytes);
    // With swap accounting, memory+swap gets the same limit so the code cannot swap its way past it.
    const memsw = path.join(memory, 'memory.memsw.limit_in_bytes');
    if (existsSync(memsw)) await writeFile(memsw, bytes);
    await writeFile(path.join(pids, 'pids.max'), String(limits.maxProcesses));
    const procsFiles = [path.join(memory, 'cgroup.procs'), path.join(pids, 'cgroup.procs')];
    return {
      flavour,
      procsFiles,
      async oomKilled() {
        try {
          return oomKillCount(await readFile(path.join(memory, 'memory.oom_control'), 'utf8')) > 0;
        } catch {
          return false;
        }
      },
      async pids() {
        return readPids(procsFiles[0] ?? '');
      },
      destroy: () => emptyAndRemove([memory, pids], procsFiles),
    };
  }
  const parent = path.join(ROOT, PARENT);
  await mkdir(parent, { recursive: true });
  // Delegation: the root and our parent must pass the controllers down to the run's group.
  await appendFile(path.join(ROOT, 'cgroup.subtree_control'), '+memory +pids').catch(() => undefined);
  await appendFile(path.join(parent, 'cgroup.subtree_control'), '+memory +pids');
  const dir = path.join(parent, name);
  await mkdir(dir);
  await writeFile(path.join(dir, 'memory.max'), bytes);
  await writeFile(path.join(dir, 'memory.swap.max'), '0').catch(() => undefined);
  await writeFile(path.join(dir, 'pids.max'), String(limits.maxProcesses));
  const procs = path.join(dir, 'cgroup.procs');
  return {
    flavour,
    procsFiles: [procs],
    async oomKilled() {
      try {
        return oomKillCount(await readFile(path.join(dir, 'memory.events'), 'utf8')) > 0;
      } catch {
        return false;
      }
    },
    pids: () => readPids(procs),
    async destroy() {
      // cgroup.kill (Linux 5.14+) kills the whole group atomically, fork bombs included.
      await writeFile(path.join(dir, 'cgroup.kill'), '1').catch(() => undefined);
      await emptyAndRemove([dir], [procs]);
    },
  };
}
