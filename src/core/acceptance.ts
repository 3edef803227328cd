/**
 * The acceptance rule: a passing candidate replaces the best so far only when its gain on the
 * goal metric is both large enough to matter and unlikely to be noise. Every decision carries a
 * sentence saying why, because users (and the model, through the prompt) read it.
 *
 * Two ways to compare. Side by side (preferred): the candidate's run also measured the best so far
 * (the check mode's reference), samples interleaved in pairs in one process, so the comparison is
 * free of drift between runs minutes apart on a shared machine. Across runs (fallback, when the
 * run did not measure a reference): the candidate's samples against the best's from its own run.
 */
import type { Goal } from './loopTypes';
import type { Measurement } from './sandboxTypes';
import { mannWhitneyLess, median, pairedRatios, signTestLess } from './statistics';

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

const SIDE_BY_SIDE = 'in a side-by-side measurement';
const IN_PLACE_SIDE_BY_SIDE = 'side by side on the calls timed in place, where the tests make them';
/** The calls timed in place decide when they hold at least this share of the tests' time in the function. */
export const IN_PLACE_DECIDES = 0.5;

/**
 * `reference`: the best so far as measured in the candidate's own run, paired sample for sample
 * (`HarnessReport.referenceMeasurement`). When present and paired, the decision rests on it alone;
 * `best` (the best's measurement from its own, earlier run) is used only without it.
 */
export function decideAcceptance(
  goal: Goal,
  best: Measurement,
  candidate: Measurement,
  reference?: Measurement,
): AcceptanceDecision {
  if (goal !== 'time') {
    const unmeasured = memoryUnmeasured(reference && isPaired(candidate, reference) ? reference : best, candidate);
    if (unmeasured) return unmeasured;
  }
  if (reference && isPaired(candidate, reference)) {
    switch (goal) {
      case 'time':
        return decideTimeSideBySide(reference, candidate);
      case 'memory':
        return decideMemory(reference, candidate, SIDE_BY_SIDE);
      case 'integral':
        return decideIntegral(reference, candidate, SIDE_BY_SIDE);
    }
  }
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
    return {
      kind: 'reject',
      gain,
      reason: `rejected: ${percent(gain)} faster, below the ${percent(needed)} threshold`,
    };
  }
  const { pLess } = mannWhitneyLess(candidate.runtimeMs.values, best.runtimeMs.values);
  if (!(pLess < SIGNIFICANCE)) {
    return { kind: 'reject', gain, reason: `rejected: ${percent(gain)} faster, within noise (p = ${formatP(pLess)})` };
  }
  return { kind: 'accept', gain, reason: `accepted: ${speedFactor(before, after)} faster (p ${formatPBound(pLess)})` };
}

/**
 * Side by side: one ratio per pair, candidate / reference, each pair measured back to back (ABBA
 * order) with the same loop count. The evidence is an exact one-sided sign test on those ratios
 * (how many pairs the candidate won), not a rank test on the two sample sets:
 * - Mann-Whitney treats the two sets as independent and so throws the pairing away: drift within
 *   the run stays in the spread of both sets and hides real gains, and it is exactly the kind of
 *   shared disturbance the pairing is there to cancel;
 * - a paired t-test (normal log-ratios) or Wilcoxon signed-rank (symmetric log-ratios) assume a
 *   shape that contention does not give: a load spike slows one member of one pair, a one-sided
 *   outlier. The sign test only assumes independent pairs that, with no real difference, fall on
 *   either side of 1 alike, which the alternating order provides. It gives up a little power for
 *   that; the harnesses take ≥ 20 pairs, and 16 of 20 pairs won is already p ≈ 0.006.
 * The size of the gain is the median per-pair ratio, against the same thresholds as across runs.
 */
function decideTimeSideBySide(replayed: Measurement, candidateReplayed: Measurement): AcceptanceDecision {
  const { reference, candidate, how } = timeBasis(replayed, candidateReplayed);
  const ratios = pairedRatios(candidate.runtimeMs.values, reference.runtimeMs.values);
  const middle = median(ratios);
  const gain = Number.isFinite(middle) ? 1 - middle : 0;
  if (gain <= 0) return { kind: 'reject', gain, reason: `${noGainReason(gain, 'slower')} ${how}` };
  const needed = reference.runtimeMs.median < TINY_MEDIAN_MS ? MIN_GAIN_TINY : MIN_GAIN;
  if (gain < needed) {
    return {
      kind: 'reject',
      gain,
      reason: `rejected: ${percent(gain)} faster than the best so far ${how}, below the ${percent(needed)} threshold`,
    };
  }
  const { pLess } = signTestLess(ratios);
  if (!(pLess < SIGNIFICANCE)) {
    return {
      kind: 'reject',
      gain,
      reason: `rejected: ${percent(gain)} faster than the best so far ${how}, within noise (p = ${formatP(pLess)})`,
    };
  }
  return {
    kind: 'accept',
    gain,
    reason: `accepted: ${formatFactor(1 / middle)} faster than the best so far ${how} (p ${formatPBound(pLess)})`,
  };
}

/**
 * Speed factor of the candidate over the reference measured beside it (1 / median per-pair
 * ratio; > 1 is faster), or undefined when the two are not paired samples.
 */
export function sideBySideSpeedFactor(candidateReplayed: Measurement, replayed: Measurement): number | undefined {
  if (!isPaired(candidateReplayed, replayed)) return undefined;
  const { reference, candidate } = timeBasis(replayed, candidateReplayed);
  const middle = median(pairedRatios(candidate.runtimeMs.values, reference.runtimeMs.values));
  return Number.isFinite(middle) && middle > 0 ? 1 / middle : undefined;
}

/**
 * What a side-by-side time comparison rests on: the replayed calls, or the runs of the tests timed
 * in place when both versions were timed there run for run and the calls the replays leave out hold
 * most of the tests' time in the function (a 600,000-item call beside a replayed 4-item one).
 */
function timeBasis(
  reference: Measurement,
  candidate: Measurement,
): { reference: Measurement; candidate: Measurement; how: string } {
  const theirs = reference.inPlace;
  const mine = candidate.inPlace;
  if (theirs && mine && theirs.share >= IN_PLACE_DECIDES) {
    const inPlace = {
      reference: { ...reference, runtimeMs: theirs.runtimeMs },
      candidate: { ...candidate, runtimeMs: mine.runtimeMs },
    };
    if (isPaired(inPlace.candidate, inPlace.reference)) return { ...inPlace, how: IN_PLACE_SIDE_BY_SIDE };
  }
  return { reference, candidate, how: SIDE_BY_SIDE };
}

/** Paired samples: the same number of runtime values on both sides, at least one usable pair. */
function isPaired(candidate: Measurement, reference: Measurement): boolean {
  const a = candidate.runtimeMs.values;
  const b = reference.runtimeMs.values;
  return a.length > 0 && a.length === b.length && pairedRatios(a, b).length > 0;
}

/** Significantly slower: by ranks across runs, by the sign test on pair ratios side by side. */
function significantlySlower(best: Measurement, candidate: Measurement, sideBySide: boolean): boolean {
  if (sideBySide)
    return signTestLess(pairedRatios(best.runtimeMs.values, candidate.runtimeMs.values)).pLess < SIGNIFICANCE;
  return mannWhitneyLess(best.runtimeMs.values, candidate.runtimeMs.values).pLess < SIGNIFICANCE;
}

/** `best` is the reference measured beside the candidate when `how` names that, else the best's own run. */
function decideMemory(best: Measurement, candidate: Measurement, how?: string): AcceptanceDecision {
  const suffix = how ? ` ${how}` : '';
  const before = best.peakMemoryKb;
  const after = candidate.peakMemoryKb;
  const gain = relativeGain(before, after);
  if (gain <= 0) return { kind: 'reject', gain, reason: noGainReason(gain, 'more peak memory') + suffix };
  const savedKb = before - after;
  if (gain < MIN_GAIN || savedKb < MIN_MEMORY_GAIN_KB) {
    return {
      kind: 'reject',
      gain,
      reason: `rejected: ${percent(gain)} less peak memory (${formatKb(savedKb)})${suffix}, below the ${percent(MIN_GAIN)} and ${MIN_MEMORY_GAIN_KB} kB threshold`,
    };
  }
  const timeLoss = how
    ? (median(pairedRatios(candidate.runtimeMs.values, best.runtimeMs.values)) || 1) - 1
    : -relativeGain(best.runtimeMs.median, candidate.runtimeMs.median);
  if (timeLoss > MAX_TIME_LOSS_FOR_MEMORY && significantlySlower(best, candidate, how !== undefined)) {
    return {
      kind: 'reject',
      gain,
      reason: `rejected: ${percent(gain)} less peak memory but ${percent(timeLoss)} slower${suffix}`,
    };
  }
  return {
    kind: 'accept',
    gain,
    reason: `accepted: ${percent(gain)} less peak memory (${formatKb(savedKb)} saved)${suffix}`,
  };
}

function decideIntegral(best: Measurement, candidate: Measurement, how?: string): AcceptanceDecision {
  const suffix = how ? ` ${how}` : '';
  const before = best.integralKbMs;
  const after = candidate.integralKbMs;
  const gain = relativeGain(before, after);
  if (gain <= 0) return { kind: 'reject', gain, reason: noGainReason(gain, 'larger memory-time integral') + suffix };
  const saved = before - after;
  if (gain < MIN_GAIN || saved < MIN_MEMORY_GAIN_KB) {
    return {
      kind: 'reject',
      gain,
      reason: `rejected: ${percent(gain)} smaller memory-time integral (${saved.toFixed(1)} kB·ms)${suffix}, below the ${percent(MIN_GAIN)} and ${MIN_MEMORY_GAIN_KB} kB·ms threshold`,
    };
  }
  return {
    kind: 'accept',
    gain,
    reason: `accepted: ${percent(gain)} smaller memory-time integral (${saved.toFixed(1)} kB·ms saved)${suffix}`,
  };
}

/** A memory goal cannot be decided on memory that was not measured (its zeros are no figures). */
function memoryUnmeasured(best: Measurement, candidate: Measurement): AcceptanceDecision | undefined {
  const which = [candidate.memoryUnmeasured ? 'this version' : '', best.memoryUnmeasured ? 'the best so far' : '']
    .filter((w) => w !== '')
    .join(' or ');
  if (which === '') return undefined;
  return {
    kind: 'reject',
    gain: 0,
    reason: `rejected: the memory of ${which} could not be measured (see the notes), so no memory gain can be shown`,
  };
}

/** (before − after) / before; 0 when there is nothing to compare against. */
function relativeGain(before: number, after: number): number {
  if (!Number.isFinite(before) || !Number.isFinite(after)) return 0;
  if (before <= 0) return after < before ? 1 : after === before ? 0 : -1;
  return (before - after) / before;
}

function noGainReason(gain: number, what: string): string {
  return gain === 0
    ? 'rejected: no gain over the best so far'
    : `rejected: ${percent(-gain)} ${what} than the best so far`;
}

function percent(fraction: number): string {
  const p = fraction * 100;
  return `${p < 10 && p > -10 ? Math.round(p * 10) / 10 : Math.round(p)} %`;
}

function speedFactor(before: number, after: number): string {
  return formatFactor(before / after);
}

function formatFactor(factor: number): string {
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

/**
 * Whether two versions are within noise of each other on the goal: the rule would accept neither
 * over the other. `reference` is `best` measured beside `candidate` (paired samples), when there
 * is one; the roles are swapped with the same evidence.
 */
export function isWithinNoise(goal: Goal, best: Measurement, candidate: Measurement, reference?: Measurement): boolean {
  const forward = decideAcceptance(goal, best, candidate, reference);
  const backward = reference
    ? decideAcceptance(goal, candidate, reference, candidate)
    : decideAcceptance(goal, candidate, best);
  return forward.kind === 'reject' && backward.kind === 'reject';
}
