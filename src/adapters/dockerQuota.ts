/**
 * How often the container's CPU quota (CPUS, in 100 ms periods) stopped it during a run, from the
 * engine's one-shot stats (the cgroup's cpu.stat). A throttled container waits out the rest of the
 * period whatever the machine is doing: at one CPU, V8's compiler threads spent the quota beside the
 * timed thread and the container was throttled in 86–94 % of its periods on an idle machine, which
 * no load average or steal figure showed (hence CPUS = 1.5).
 */
import type Dockerode from 'dockerode';

export interface QuotaPeriods {
  readonly periods: number;
  readonly throttled: number;
}

const READ_LIMIT_MS = 2000;

/** The container's quota periods so far, or undefined where the engine does not say. */
export async function quotaPeriods(container: Dockerode.Container): Promise<QuotaPeriods | undefined> {
  try {
    // one-shot (engine API 1.41): the current counters at once, without waiting for a second read.
    // A slow engine costs the run at most READ_LIMIT_MS of waiting, never its result.
    const stats = await Promise.race([
      container.stats({ stream: false, 'one-shot': true }),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), READ_LIMIT_MS).unref()),
    ]);
    if (stats === undefined) return undefined;
    // Typed as always there; engines without the cgroup's counters leave it out.
    const data = stats.cpu_stats?.throttling_data as Partial<Dockerode.ThrottlingData> | undefined;
    const periods = data?.periods;
    const throttled = data?.throttled_periods;
    return typeof periods === 'number' && typeof throttled === 'number' ? { periods, throttled } : undefined;
  } catch {
    return undefined;
  }
}

/** The share (0..1) of the periods between the two reads in which the quota throttled the container. */
export function throttledShare(before: QuotaPeriods | undefined, after: QuotaPeriods | undefined): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  const periods = after.periods - before.periods;
  return periods > 0 ? Math.min(1, Math.max(0, after.throttled - before.throttled) / periods) : undefined;
}
