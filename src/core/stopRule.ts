/**
 * When the loop stops early, and the sentence that says why. Iterations whose candidates all
 * failed, gave no code or met a model error are repairs: the next prompt carries the failure and
 * they never count towards the plateau. Only iterations whose candidates passed without beating
 * the best do; `patience` of them in a row end the run (0: never).
 */
import type { Progress } from './candidateJudge';
import type { BestSoFar, LoopEvent, StopRule } from './loopTypes';
import { integralWords, memoryWords, speedAgainst } from './changeWords';

export const DEFAULT_PATIENCE = 3;

/** What one iteration did, from its candidates' progress. */
export type IterationKind = 'gained' | 'plateau' | 'repair';

export function iterationKind(progress: readonly Progress[]): IterationKind {
  if (progress.includes('better')) return 'gained';
  if (progress.some((p) => p !== 'failed')) return 'plateau';
  return 'repair';
}

export interface PlateauState {
  /** Plateau iterations in a row (repairs leave it as it is). */
  readonly flat: number;
  readonly repairs: number;
}

export function nextPlateau(state: PlateauState, kind: IterationKind): PlateauState {
  switch (kind) {
    case 'gained':
      return { ...state, flat: 0 };
    case 'plateau':
      return { ...state, flat: state.flat + 1 };
    case 'repair':
      return { ...state, repairs: state.repairs + 1 };
  }
}

export function patienceRanOut(state: PlateauState, patience: number): boolean {
  return patience > 0 && state.flat >= patience;
}

/** The `finished` event of a run that measured its original, with the rule that stopped it. */
export function finishedEvent(stop: StopRule, best: BestSoFar, why: string): Extract<LoopEvent, { type: 'finished' }> {
  if (stop === 'cancelled') return { type: 'finished', outcome: 'cancelled', stop, reason: 'Cancelled.', best };
  if (best.iteration === 0) {
    return {
      type: 'finished',
      outcome: stop === 'model_unusable' ? 'failed' : 'no_improvement',
      stop,
      reason: `${why} No candidate beat the original by a significant margin.`,
      best,
    };
  }
  return { type: 'finished', outcome: 'improved', stop, reason: `${why} ${bestWords(best)}`, best };
}

/** "Best: iteration 3, 2.40× faster than the original, peak memory 62 % lower." */
export function bestWords(best: BestSoFar): string {
  return `Best: iteration ${best.iteration}, ${speedAgainst(best.speedup, 'the original')}, ${memoryWords(best.memoryRatio)}, ${integralWords(best.integralRatio)}.`;
}

export function completedWords(iterations: number, state: PlateauState): string {
  const repairs = state.repairs > 0 ? ` (${state.repairs} repaired a failed or unusable answer)` : '';
  return `Ran all ${iterations} iteration(s)${repairs}.`;
}

export function plateauWords(iteration: number, patience: number): string {
  return `Stopped after iteration ${iteration}: ${patience} iteration(s) in a row whose candidates passed but did not beat the best (patience ${patience}; 0 runs every iteration).`;
}
