/**
 * How busy the host is around a sandbox run: the 1-minute load average and the core count at the
 * start and end, and CPU steal from /proc/stat over the run (Linux; skipped silently elsewhere);
 * with the quota throttling a sandbox reports (Docker).
 * `withMachineLoad` wraps any sandbox so every result carries it; src/core/noise.ts judges it.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { MachineLoad, Sandbox, SandboxJob, SandboxResult } from '../core/sandboxTypes';

interface CpuTimes {
  readonly total: number;
  readonly steal: number;
}

/** The aggregate "cpu" line of /proc/stat (jiffies), or undefined where it cannot be read. */
export function readCpuTimes(statText?: string): CpuTimes | undefined {
  let text = statText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/stat', 'latin1');
    } catch {
      return undefined;
    }
  }
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) return undefined;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 8 || fields.some((f) => !Number.isFinite(f))) return undefined;
  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already in user.
  const total = fields.slice(0, 8).reduce((sum, f) => sum + f, 0);
  return { total, steal: fields[7] ?? 0 };
}

function cores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Starts watching; `finish()` gives the load over the time since. */
export function watchMachineLoad(): { finish(): MachineLoad } {
  const load1Start = os.loadavg()[0] ?? 0;
  const coresStart = cores();
  const before = readCpuTimes();
  return {
    finish(): MachineLoad {
      const after = readCpuTimes();
      const elapsed = before && after ? after.total - before.total : 0;
      return {
        load1Start,
        load1End: os.loadavg()[0] ?? 0,
        cores: Math.min(coresStart, cores()),
        ...(before && after && elapsed > 0 ? { stealShare: Math.max(0, after.steal - before.steal) / elapsed } : {}),
      };
    },
  };
}

/** The sandbox, with every result stamped with how busy the host was during its run. */
export function withMachineLoad(sandbox: Sandbox): Sandbox {
  return {
    describe: () => sandbox.describe(),
    dispose: () => sandbox.dispose(),
    async run(job: SandboxJob, signal?: AbortSignal): Promise<SandboxResult> {
      const watch = watchMachineLoad();
      const result = await sandbox.run(job, signal);
      const throttled = result.quotaThrottledShare;
      return {
        ...result,
        machineLoad: { ...watch.finish(), ...(throttled !== undefined ? { throttledShare: throttled } : {}) },
      };
    },
  };
}
