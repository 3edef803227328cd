import { describe, expect, it } from 'vitest';
import { parseFromWebviewMessage } from '../../src/shared/protocol';

describe('parseFromWebviewMessage', () => {
  it('accepts each message the panel sends', () => {
    expect(parseFromWebviewMessage({ type: 'ready' })).toEqual({ kind: 'ok', message: { type: 'ready' } });
    expect(parseFromWebviewMessage({ type: 'accept', runId: 'r-1', iteration: 2, candidate: 0 })).toEqual({
      kind: 'ok',
      message: { type: 'accept', runId: 'r-1', iteration: 2, candidate: 0 },
    });
    expect(parseFromWebviewMessage({ type: 'showDiff', runId: 'abc', iteration: 0, candidate: 3 }).kind).toBe('ok');
    expect(parseFromWebviewMessage({ type: 'reject', runId: 'abc', iteration: 1 }).kind).toBe('ok');
    expect(parseFromWebviewMessage({ type: 'cancelRun', runId: 'abc' }).kind).toBe('ok');
    expect(parseFromWebviewMessage({ type: 'openRun', runId: 'abc' }).kind).toBe('ok');
    expect(parseFromWebviewMessage({ type: 'openTests', runId: 'abc' }).kind).toBe('ok');
  });

  it('refuses non-objects and unknown types', () => {
    for (const raw of [
      null,
      undefined,
      'ready',
      42,
      ['ready'],
      {},
      { type: 'runCommand', command: 'workbench.action.terminal.new' },
    ]) {
      expect(parseFromWebviewMessage(raw).kind).toBe('invalid');
    }
  });

  it('refuses malformed fields instead of coercing them', () => {
    const bad = [
      { type: 'accept', runId: 'r', iteration: '1', candidate: 0 },
      { type: 'accept', runId: 'r', iteration: 1.5, candidate: 0 },
      { type: 'accept', runId: 'r', iteration: -1, candidate: 0 },
      { type: 'accept', runId: 'r', iteration: 1 },
      { type: 'showDiff', runId: '../../etc', iteration: 1, candidate: 0 },
      { type: 'reject', runId: 'x'.repeat(65), iteration: 1 },
      { type: 'cancelRun' },
      { type: 'openRun', runId: 7 },
    ];
    for (const raw of bad) expect(parseFromWebviewMessage(raw), JSON.stringify(raw)).toMatchObject({ kind: 'invalid' });
  });

  it('refuses extra fields, so nothing rides along unchecked', () => {
    const parsed = parseFromWebviewMessage({ type: 'reject', runId: 'r', iteration: 1, command: 'rm -rf /' });
    expect(parsed).toEqual({ kind: 'invalid', reason: 'unexpected field command' });
  });
});
