/**
 * A checked candidate's verdict: failures and missing measurements are rejections; a passing one
 * goes to the acceptance rule against the best so far, and a tie within noise goes to the smaller
 * change. Ratios are always against the original.
 */
import { decideAcceptance, isWithinNoise, sideBySideSpeedFactor } from './acceptance';
import type { BestSoFar, CandidateReport, CandidateVerdict, Goal } from './loopTypes';
import type { Measurement, SandboxResult, TestFailure } from './sandboxTypes';
import { describeSandboxFailure } from './resultWords';

/** How a candidate moved the run: beat the best, tied it with a smaller change, passed only, or failed. */
export type Progress = 'better' | 'smaller_tie' | 'passed' | 'failed';

export interface Judged {
  readonly status: CandidateReport['status'];
  readonly verdict: CandidateVerdict;
  readonly progress: Progress;
  readonly measurement?: Measurement;
  readonly failures?: readonly TestFailure[];
  readonly speedup?: number;
  readonly memoryRatio?: number;
  readonly integralRatio?: number;
}

export interface JudgeInput {
  readonly goal: Goal;
  /** The original's measurement from the baseline run. */
  readonly original: Measurement;
  readonly best: BestSoFar;
  readonly result: SandboxResult;
  /** Changed lines of this candidate against the original function. */
  readonly changedLines: number;
}

export function judgeCandidate({ goal, original, best, result, changedLines }: JudgeInput): Judged {
  if (result.kind !== 'passed') {
    return {
      status: result.kind,
      progress: 'failed',
      verdict: { kind: 'rejected', reason: `rejected: ${describeSandboxFailure(result, 'it', false)}` },
      ...(result.kind === 'failed' ? { failures: result.failures } : {}),
    };
  }
  const measurement = result.measurement;
  if (!measurement) {
    return {
      status: 'passed',
      progress: 'failed',
      verdict: { kind: 'rejected', reason: 'rejected: it passed but the sandbox returned no measurement' },
    };
  }
  const reference = result.referenceMeasurement;
  const numbers = { measurement, ...ratios(original, best, measurement, reference) };
  const decision = decideAcceptance(goal, best.measurement, measurement, reference);
  if (decision.kind === 'accept')
    return { status: 'passed', progress: 'better', verdict: { kind: 'accepted', reason: decision.reason }, ...numbers };
  const bestLines = best.changedLines;
  if (
    best.iteration > 0 &&
    bestLines !== undefined &&
    changedLines < bestLines &&
    isWithinNoise(goal, best.measurement, measurement, reference)
  ) {
    return {
      status: 'passed',
      progress: 'smaller_tie',
      verdict: {
        kind: 'accepted',
        reason: `accepted: within noise of the best so far (iteration ${best.iteration}) and a smaller change: ${lines(changedLines)} changed instead of ${bestLines} (${decision.reason.replace(/^rejected: /, '')})`,
      },
      ...numbers,
    };
  }
  return { status: 'passed', progress: 'passed', verdict: { kind: 'rejected', reason: decision.reason }, ...numbers };
}

function lines(count: number): string {
  return `${count} line${count === 1 ? '' : 's'}`;
}

/** Ratio > 1 is better. Memory figures are floored at 1 unit so near-zero allocations stay sane. */
function ratio(baseline: number, candidate: number, floor: number): number {
  return Math.max(baseline, floor) / Math.max(candidate, floor);
}

/**
 * Ratios against the original. Measured beside the best so far, they are chained: the best's
 * ratio times the candidate's side-by-side ratio over the best, so drift between runs stays out of
 * the figures too, and a candidate accepted as faster than the best always shows a larger speed-up.
 * Without a side-by-side measurement: the candidate against the original's run.
 */
function ratios(
  original: Measurement,
  best: BestSoFar,
  m: Measurement,
  reference: Measurement | undefined,
): { speedup: number; memoryRatio: number; integralRatio: number } {
  const factor = reference ? sideBySideSpeedFactor(m, reference) : undefined;
  // Memory not measured on either side (its zeros are no figures) claims no change.
  const memory = (before: Measurement, what: 'peakMemoryKb' | 'integralKbMs'): number =>
    before.memoryUnmeasured || m.memoryUnmeasured ? 1 : ratio(before[what], m[what], 1);
  if (reference && factor !== undefined) {
    return {
      speedup: best.speedup * factor,
      memoryRatio: best.memoryRatio * memory(reference, 'peakMemoryKb'),
      integralRatio: best.integralRatio * memory(reference, 'integralKbMs'),
    };
  }
  return {
    speedup: ratio(original.runtimeMs.median, m.runtimeMs.median, 1e-6),
    memoryRatio: memory(original, 'peakMemoryKb'),
    integralRatio: memory(original, 'integralKbMs'),
  };
}
