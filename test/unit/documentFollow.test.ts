import { describe, expect, it } from 'vitest';
import { followDocument } from '../../src/panel/documentFollow';
import { decideIteration, startRun, type RunRecord } from '../../src/panel/panelState';

const ORIGINAL = 'def slow(xs):\n    return sorted(xs)';
const FAST = 'def slow(xs):\n    xs.sort()\n    return xs';

function acceptedRun(): RunRecord {
  const started = startRun({
    id: 'r1',
    kind: 'optimize',
    fileLabel: 'mod.py',
    startedAt: 0,
    source: {
      documentUri: 'file:///mod.py',
      target: 'slow',
      language: 'python',
      originalCode: ORIGINAL,
      indent: '',
      testUris: [],
    },
  });
  const withIteration: RunRecord = {
    ...started,
    view: {
      ...started.view,
      iterations: [{ iteration: 1, done: true, candidates: [], modelChars: 0, offered: 1, decision: 'undecided' }],
    },
  };
  return decideIteration(withIteration, 1, 'applied', FAST);
}

const decision = (record: RunRecord) => record.view.iterations[0]?.decision;

describe('the panel follows the document', () => {
  it('un-marks Applied after an undo brings the original back, so Accept is offered again', () => {
    const undone = followDocument(acceptedRun(), ORIGINAL);
    expect(decision(undone)).toBe('undecided');
  });

  it('marks it Applied again when a redo restores the accepted code (line endings aside)', () => {
    const undone = followDocument(acceptedRun(), ORIGINAL);
    expect(decision(followDocument(undone, FAST.replace(/\n/g, '\r\n')))).toBe('applied');
  });

  it('leaves the record alone while the file holds the accepted code, and when the function is gone', () => {
    const run = acceptedRun();
    expect(followDocument(run, FAST)).toBe(run);
    expect(decision(followDocument(run, undefined))).toBe('undecided');
  });
});
