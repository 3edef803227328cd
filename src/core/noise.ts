/**
 * Whether the machine was busy while a measurement was taken, from what the host saw (load
 * average, cores, CPU steal, the sandbox's CPU quota throttling it) and what the harness saw (samples taken again because their thread
 * waited for a CPU, and the share of the timed wall time it waited). A busy verdict does not
 * change any figure: it tells the reader the figures may spread more than usual.
 */
import type { MachineLoad, RuntimeStats } from './sandboxTypes';

/** Busy when the 1-minute load average (the higher of start and end) is above the core count. */
export const LOAD_PER_CORE_LIMIT = 1;
/** Busy when the hypervisor took more than this share of the CPU time during the run. */
export const STEAL_SHARE_LIMIT = 0.02;
/** Busy when the sandbox's CPU quota throttled it in more than this share of its periods. */
export const THROTTLED_SHARE_LIMIT = 0.1;
/** Busy when more than this share of the timing samples had to be taken again. */
export const RETAKEN_SHARE_LIMIT = 0.1;
/** Busy when the measuring thread waited for a CPU for more than this share of the timed wall time. */
export const WAIT_SHARE_LIMIT = 0.05;

export interface NoiseFigures {
  /** 1-minute load average, the higher of the run's start and end; undefined when unknown. */
  readonly load1?: number;
  readonly cores?: number;
  /** Share of all CPU time stolen by the hypervisor over the run (0..1). */
  readonly stealShare?: number;
  /** Share of the sandbox's CPU-quota periods in which the quota throttled it (0..1). */
  readonly throttledShare?: number;
  /** Timing samples of the measurement. */
  readonly samples?: number;
  /** Of `samples`, how many were taken again because their thread waited for a CPU. */
  readonly samplesRetaken?: number;
  /** Share of the timed wall time the measuring thread waited for a CPU (0..1). */
  readonly waitShare?: number;
}

export interface NoiseVerdict extends NoiseFigures {
  readonly busy: boolean;
  /** Why busy, in words ("load 5.2 on 2 cores"); empty when quiet. */
  readonly reasons: readonly string[];
}

/** One decimal, or two where one would round a load just above the cores down to them (2.04 → "2.04", not "2.0"). */
function loadWords(load1: number, cores: number): string {
  const shown = load1.toFixed(1);
  return Number(shown) > cores ? shown : load1.toFixed(2);
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
}

export function noiseFigures(load: MachineLoad | undefined, runtime: RuntimeStats | undefined): NoiseFigures {
  const load1 = load === undefined ? undefined : Math.max(load.load1Start, load.load1End ?? Number.NEGATIVE_INFINITY);
  return {
    ...(load1 !== undefined && Number.isFinite(load1) ? { load1 } : {}),
    ...(load !== undefined ? { cores: load.cores } : {}),
    ...(load?.stealShare !== undefined ? { stealShare: load.stealShare } : {}),
    ...(load?.throttledShare !== undefined ? { throttledShare: load.throttledShare } : {}),
    ...(runtime !== undefined ? { samples: runtime.samples } : {}),
    ...(runtime?.retaken !== undefined ? { samplesRetaken: runtime.retaken } : {}),
    ...(runtime?.waitShare !== undefined ? { waitShare: runtime.waitShare } : {}),
  };
}

/** The verdict on the figures; each threshold above that is crossed gives one reason. */
export function noiseVerdict(figures: NoiseFigures): NoiseVerdict {
  const reasons: string[] = [];
  const { load1, cores, stealShare, throttledShare, samples, samplesRetaken, waitShare } = figures;
  if (load1 !== undefined && cores !== undefined && cores > 0 && load1 > cores * LOAD_PER_CORE_LIMIT)
    reasons.push(`load ${loadWords(load1, cores)} on ${cores} core${cores === 1 ? '' : 's'}`);
  if (stealShare !== undefined && stealShare > STEAL_SHARE_LIMIT)
    reasons.push(`${percent(stealShare)} of the CPU stolen by the hypervisor`);
  if (throttledShare !== undefined && throttledShare > THROTTLED_SHARE_LIMIT)
    reasons.push(`the sandbox's CPU quota throttled it in ${percent(throttledShare)} of its periods`);
  if (samplesRetaken !== undefined && samples !== undefined && samples > 0)
    if (samplesRetaken > RETAKEN_SHARE_LIMIT * samples)
      reasons.push(`${samplesRetaken} of ${samples} samples taken again`);
  if (waitShare !== undefined && waitShare > WAIT_SHARE_LIMIT)
    reasons.push(`the measuring thread waited for a CPU ${percent(waitShare)} of the time`);
  return { ...figures, busy: reasons.length > 0, reasons };
}

/** The one line said when busy: "machine busy: load 5.2 on 2 cores — figures may spread more than usual". */
export function busyNote(reasons: readonly string[]): string {
  return `machine busy: ${reasons.join(', ')} — figures may spread more than usual`;
}
