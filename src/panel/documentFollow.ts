/**
 * The panel shows what the file holds, not what was last clicked: after Accept and an undo, the
 * iteration is no longer "Applied" (and offers Accept again); a redo that brings the accepted
 * text back marks it applied again.
 */
import { sameFunctionText } from './diffModel';
import type { RunRecord } from './panelState';

/** `current`: the target function's text in the document now, undefined when it is not there. */
export function followDocument(record: RunRecord, current: string | undefined): RunRecord {
  const { appliedCode, appliedIteration } = record;
  if (appliedCode === undefined || appliedIteration === undefined) return record;
  const holdsApplied = current !== undefined && sameFunctionText(appliedCode, current);
  const iterations = record.view.iterations.map((it) => {
    if (it.iteration !== appliedIteration) return it;
    if (it.decision === 'applied' && !holdsApplied) return { ...it, decision: 'undecided' as const };
    if (it.decision === 'undecided' && holdsApplied) return { ...it, decision: 'applied' as const };
    return it;
  });
  if (iterations.every((it, k) => it === record.view.iterations[k])) return record;
  return { ...record, view: { ...record.view, iterations } };
}
