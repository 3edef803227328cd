/**
 * The acceptance rule: a passing candidate replaces the best so far only when its gain on the
 * goal metric is both large enough to matter and unlikely to be noise. Every decision carries a
 * sentence saying why, because users (and the model, through the prompt) read it.
 */
import type { Goal } from './loopTypes';
import type { Measurement } from './sandboxTypes';
import { mannWhitneyLess } from './statistics';

export type AcceptanceDecision =
  | { readonly kind: 'accept'; readonly reason: string; readonly gain: number }
  | { readonly kind: 'reject'; readonly reason: string; readonly gain: number };

/** Relative gain needed on the goal metric. */
export const MIN_GAIN = 0.05;
/** Sub-10-µs functions sit close to timer resolution: ask for more. */
export const MIN_GAIN_TINY = 0.1;
export const TINY_MEDIAN_MS = 0.01;
/** One-sided significance level of the rank test on runtime samples. */
export const SIGNIFICANCE = 0.01;
/** Memory figures are one value per run: ask for an absolute margin as well as a relative one. */
export const MIN_MEMORY_GAIN_KB = 8;
/** Under the memory goal, a candidate may not buy its memory with this much extra time. */
export const MAX_TIME_LOSS_FOR_MEMORY = 0.25;

export function decideAcceptance(goal: Goal, best: Measurement, candidate: Measurement): AcceptanceDecision {
  switch (goal) {
    case 'time':
      return decideTime(best, candidate);
    case 'memory':
      return decideMemory(best, candidate);
    case 'integral':
      return decideIntegral(best, candidate);
  }
}

function decideTime(best: Measurement, candidate: Measurement): AcceptanceDecision {
  const before = best.runtimeMs.median;
  const after = candidate.runtimeMs.median;
  const gain = relativeGain(before, after);
  if (gain <= 0) return { kind: 'reject', gain, reason: noGainReason(gain, 'slower') };
  const needed = before < TINY_MEDIAN_MS ? MIN_GAIN_TINY : MIN_GAIN;
  if (gain < needed) {
    return { kind: 'reject', gain, reason: `rejected: ${percent(gain)} faster, below the ${percent(needed)} threshold` };
  }
  const { pLess } = mannWhitneyLess(candidate.runtimeMs.values, best.runtimeMs.values);
  if (!(pLess < SIGNIFICANCE)) {
    return { kind: 'reject', gain, reason: `rejected: ${percent(gain)} faster, within noise (p = ${formatP(pLess)})` };
  }
  return { kind: 'accept', gain, reason: `accepted: ${speedFactor(before, after)} faster (p ${formatPBound(pLess)})` };
}

function decideMemory(best: Measurement, candidate: Measurement): AcceptanceDecision {
  const before = best.peakMemoryKb;
  const after = candidate.peakMemoryKb;
  const gain = relativeGain(before, after);
  if (gain <= 0) return { kind: 'reject', gain, reason: noGainReason(gain, 'more peak memory') };
  const savedKb = before - after;
  if (gain < MIN_GAIN || savedKb < MIN_MEMORY_GAIN_KB) {
    return {
      kind: 'reject',
      gain,
      reason: `rejected: ${percent(gain)} less peak memory (${formatKb(savedKb)}), below the ${percent(MIN_GAIN)} and ${MIN_MEMORY_GAIN_KB} kB threshold`,
    };
  }
  const timeLoss = -relativeGain(best.runtimeMs.median, candidate.runtimeMs.median);
  if (timeLoss > MAX_TIME_LOSS_FOR_MEMORY && mannWhitneyLess(best.runtimeMs.values, candidate.runtimeMs.values).pLess < SIGNIFICANCE) {
    return { kind: 'reject', gain, reason: `rejected: ${percent(gain)} less peak memory but ${percent(timeLoss)} slower` };
  }
  return { kind: 'accept', gain, reason: `accepted: ${percent(gain)} less peak memory (${formatKb(savedKb)} saved)` };
}

function decideIntegral(best: Measurement, candidate: Measurement): AcceptanceDecision {
  const before = best.integralKbMs;
  const after = candidate.integralKbMs;
  const gain = relativeGain(before, after);
  if (gain <= 0) return { kind: 'reject', gain, reason: noGainReason(gain, 'larger memory-time integral') };
  const saved = before - after;
  if (gain < MIN_GAIN || saved < MIN_MEMORY_GAIN_KB) {
    return {
      kind: 'reject',
      gain,
      reason: `rejected: ${percent(gain)} smaller memory-time integral (${saved.toFixed(1)} kB·ms), below the ${percent(MIN_GAIN)} and ${MIN_MEMORY_GAIN_KB} kB·ms threshold`,
    };
  }
  return { kind: 'accept', gain, reason: `accepted: ${percent(gain)} smaller memory-time integral (${saved.toFixed(1)} kB·ms saved)` };
}

/** (before − after) / before; 0 when there is nothing to compare against. */
function relativeGain(before: number, after: number): number {
  if (!Number.isFinite(before) || !Number.isFinite(after)) return 0;
  if (before <= 0) return after < before ? 1 : after === before ? 0 : -1;
  return (before - after) / before;
}

function noGainReason(gain: number, what: string): string {
  return gain === 0 ? 'rejected: no gain over the best so far' : `rejected: ${percent(-gain)} ${what} than the best so far`;
}

function percent(fraction: number): string {
  const p = fraction * 100;
  return `${p < 10 && p > -10 ? Math.round(p * 10) / 10 : Math.round(p)} %`;
}

function speedFactor(before: number, after: number): string {
  const factor = before / after;
  return factor >= 10 ? `${Math.round(factor)}×` : `${factor.toFixed(2)}×`;
}

function formatKb(kb: number): string {
  return `${kb.toFixed(kb < 10 ? 1 : 0)} kB`;
}

function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(p < 0.1 ? 3 : 2);
}

function formatPBound(p: number): string {
  return p < 0.001 ? '< 0.001' : `= ${formatP(p)}`;
}
