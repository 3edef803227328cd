/**
 * Runs one local sandbox command line to its end and makes sure nothing it started outlives it:
 * its own session and process group, a wall-clock limit enforced from here, an optional watch on
 * the work dir's size (when no tmpfs bounds it), its cgroup's processes killed too, output capped.
 */
import { spawn } from 'node:child_process';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { RunCgroup } from './cgroupLimits';
import type { LocalCommand } from './localCommandLine';
import type { CapturedOutput } from './outputCapture';
import { createOutputCapture } from './outputCapture';

export interface ChildRunOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Killed too when the run ends (its members may have left the process group). */
  readonly cgroup?: RunCgroup;
  /** A directory to stop the run over, when it grows past `bytes`. */
  readonly watch?: { readonly dir: string; readonly bytes: number };
  /** Called with a function that kills the run now (the sandbox's dispose). */
  readonly onStart?: (kill: () => void) => void;
}

export interface ChildOutcome {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly spawnError?: string;
  readonly stdout: CapturedOutput;
  readonly stderr: CapturedOutput;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  readonly diskExceeded: boolean;
  readonly oomKilled: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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

function killPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

export async function runLocalChild(command: LocalCommand, options: ChildRunOptions): Promise<ChildOutcome> {
  const [file, ...args] = command.argv;
  const stdout = createOutputCapture();
  const stderr = createOutputCapture();
  let timedOut = false;
  let diskExceeded = false;
  let aborted = false;

  const child = spawn(file ?? '/bin/sh', args, {
    cwd: command.cwd,
    env: { ...command.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killAll = (): void => {
    if (child.pid !== undefined) killPids([-child.pid]);
    if (options.cgroup) void options.cgroup.pids().then(killPids);
  };
  options.onStart?.(killAll);
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const drained = Promise.all([
    new Promise((r) => child.stdout.once('close', r)),
    new Promise((r) => child.stderr.once('close', r)),
  ]);

  const timer = setTimeout(() => {
    timedOut = true;
    killAll();
  }, options.timeoutMs);
  const onAbort = (): void => {
    aborted = true;
    killAll();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const watch = options.watch;
  const watchdog = watch
    ? setInterval(() => {
        void treeBytes(watch.dir, watch.bytes).then((bytes) => {
          if (bytes > watch.bytes) {
            diskExceeded = true;
            killAll();
          }
        });
      }, 250)
    : undefined;

  const exit = await new Promise<{ code: number | null; signal: string | null; spawnError?: string }>((resolve) => {
    child.once('error', (err) => resolve({ code: null, signal: null, spawnError: err.message }));
    child.once('exit', (code, sig) => resolve({ code, signal: sig }));
  });
  clearTimeout(timer);
  if (watchdog) clearInterval(watchdog);
  options.signal?.removeEventListener('abort', onAbort);
  // Whatever the run left behind dies with it: its process group, then its cgroup.
  killAll();
  // Read before the group is removed with its counters.
  const oomKilled = options.cgroup ? await options.cgroup.oomKilled() : false;
  if (options.cgroup) await options.cgroup.destroy();
  // Output still buffered in the pipes is read to the end (briefly: a stray holder is dead by now).
  await Promise.race([drained, sleep(2000)]);
  child.stdout.destroy();
  child.stderr.destroy();
  return {
    exitCode: exit.code,
    signal: exit.signal,
    ...(exit.spawnError !== undefined ? { spawnError: exit.spawnError } : {}),
    stdout: stdout.result(),
    stderr: stderr.result(),
    timedOut,
    aborted,
    diskExceeded,
    oomKilled,
  };
}
