import { describe, expect, it } from 'vitest';
import type { CompletionResult } from '../../src/core/modelTypes';
import {
  ScriptedModel,
  ScriptedSandbox,
  candidate,
  collect,
  failing,
  finished,
  measured,
  request,
} from './loopDoubles';

const RATE_LIMITED: CompletionResult = {
  kind: 'error',
  error: 'rate_limit',
  message: 'The model endpoint is rate-limiting requests (HTTP 429).',
};
const PROSE = 'You could sort once and use a set; that would be much faster.';
const SYNTAX_ERROR = '```python\ndef slow(xs)\n    _syntax = 1\n    return sorted(xs)\n```';
const prompts = (model: ScriptedModel): string[] => model.seen.map((s) => s.messages[1]?.content ?? '');
const slower = (k: number): string => candidate(12 + k, `x${k} = 0\n    `);

describe('optimize repairs misses', () => {
  it('goes past a 429, prose, a wrong version and a syntax error to the fast answer, and accepts it', async () => {
    const model = new ScriptedModel([
      RATE_LIMITED,
      PROSE,
      failing('AssertionError: assert [3, 1] == [1, 3]'),
      SYNTAX_ERROR,
      candidate(2),
    ]);
    const events = await collect({ sandbox: new ScriptedSandbox(), model }, request({ iterations: 6, candidates: 1 }));
    const done = finished(events);
    expect(done.outcome).toBe('improved');
    expect(done.best?.iteration).toBe(5);
    expect(done.best?.code).toContain('_cost = 2');
    expect(measured(events).map((r) => r.status)).toEqual([
      'model_error',
      'no_code',
      'failed',
      'error',
      'passed',
      // Iteration 6's reply (the double's default) is the original again.
      'duplicate',
    ]);
    // Each later prompt carries what went wrong just before it.
    const seen = prompts(model);
    expect(seen[1]).toMatch(/Candidate 1: no reply — rejected: the model did not answer \(.*HTTP 429/);
    expect(seen[2]).toMatch(/Candidate 1: reply not usable — rejected: no code in the reply/);
    expect(seen[2]).toContain('must contain the complete function in one closed fenced code block');
    expect(seen[3]).toContain('test_sorted_output: AssertionError: assert [3, 1] == [1, 3]');
    expect(seen[3]).toContain('repair them first');
    expect(seen[4]).toContain("SyntaxError: expected ':'");
    expect(seen[4]).toContain('def slow(xs)\n    _syntax = 1');
  });

  it('keeps the failures seen before a round the model could not answer', async () => {
    const model = new ScriptedModel([failing('IndexError: list index out of range'), RATE_LIMITED, candidate(5)]);
    await collect({ sandbox: new ScriptedSandbox(), model }, request({ iterations: 3, candidates: 1 }));
    const third = prompts(model)[2] ?? '';
    expect(third).toContain('IndexError: list index out of range');
    expect(third).toContain('HTTP 429');
  });
});

describe('optimize plateau patience', () => {
  const run = async (patience: number | undefined, replies: (string | CompletionResult)[]) => {
    const model = new ScriptedModel([...replies]);
    const events = await collect(
      { sandbox: new ScriptedSandbox(), model },
      request({ iterations: 6, candidates: 1, ...(patience === undefined ? {} : { patience }) }),
    );
    return { events, iterations: events.filter((e) => e.type === 'iterationStarted').length, done: finished(events) };
  };
  const sixSlower = [0, 1, 2, 3, 4, 5].map(slower);

  it('patience 0 runs every requested iteration', async () => {
    const { iterations, done } = await run(0, sixSlower);
    expect(iterations).toBe(6);
    expect(done.stop).toBe('completed');
    expect(done.reason).toMatch(/^Ran all 6 iteration\(s\)\./);
  });

  it('patience 1 stops after the first iteration whose candidates passed without beating the best', async () => {
    const { iterations, done } = await run(1, sixSlower);
    expect(iterations).toBe(1);
    expect(done.stop).toBe('plateau');
    expect(done.outcome).toBe('no_improvement');
    expect(done.reason).toMatch(
      /Stopped after iteration 1: 1 iteration\(s\) in a row whose candidates passed but did not beat the best \(patience 1/,
    );
  });

  it('patience 3 (the default) stops after three such iterations in a row', async () => {
    const { iterations, done } = await run(undefined, sixSlower);
    expect(iterations).toBe(3);
    expect(done.stop).toBe('plateau');
  });

  it('does not count repair iterations towards the plateau, and a gain starts the count again', async () => {
    const { iterations, done } = await run(2, [slower(0), failing('wrong'), PROSE, candidate(5), slower(1), slower(2)]);
    expect(iterations).toBe(6);
    expect(done.stop).toBe('completed');
    expect(done.outcome).toBe('improved');
    expect(done.reason).toContain('(2 repaired a failed or unusable answer)');
    const flat = await run(2, [slower(0), failing('wrong'), PROSE, slower(1), slower(2)]);
    expect(flat.iterations).toBe(4);
    expect(flat.done.reason).toMatch(/^Stopped after iteration 4/);
  });
});

describe('optimize between equal candidates', () => {
  const bigger = candidate(5, 'a = 1\n    b = 2\n    c = 3\n    ');

  it('prefers the smaller change when the gains are within noise, and says so', async () => {
    const events = await collect(
      { sandbox: new ScriptedSandbox(), model: new ScriptedModel([bigger, candidate(5)]) },
      request({ iterations: 1, candidates: 2 }),
    );
    const [first, second] = measured(events);
    expect(first?.verdict.kind).toBe('accepted');
    expect(first?.changedLines).toBe(5);
    expect(second?.changedLines).toBe(2);
    expect(second?.verdict.kind).toBe('accepted');
    expect(second?.verdict.reason).toMatch(
      /^accepted: within noise of the best so far \(iteration 1\) and a smaller change: 2 lines changed instead of 5/,
    );
    const done = finished(events);
    expect(done.best?.code).not.toContain('a = 1');
    expect(done.best?.speedup).toBeCloseTo(2, 5);
  });

  it('keeps the smaller change when a larger one is within noise of it', async () => {
    const events = await collect(
      { sandbox: new ScriptedSandbox(), model: new ScriptedModel([candidate(5), bigger]) },
      request({ iterations: 1, candidates: 2 }),
    );
    expect(measured(events)[1]?.verdict.reason).toBe(
      'rejected: no gain over the best so far in a side-by-side measurement',
    );
    expect(finished(events).best?.code).not.toContain('a = 1');
  });

  it('does not trade a real gain for a smaller change', async () => {
    const events = await collect(
      {
        sandbox: new ScriptedSandbox(),
        model: new ScriptedModel([candidate(2, 'a = 1\n    b = 2\n    '), candidate(5)]),
      },
      request({ iterations: 1, candidates: 2 }),
    );
    expect(measured(events)[1]?.verdict.kind).toBe('rejected');
    expect(finished(events).best?.code).toContain('_cost = 2');
  });
});

describe('optimize explains its candidates', () => {
  it('keeps the model’s own words and the measured hot lines with each candidate and the best', async () => {
    const reply = `Sorting once avoids the repeated scans.\n\n\`\`\`python\ndef slow(xs):\n    _cost = 2\n    return sorted(xs)\n\`\`\`\nThe result is the same.`;
    const events = await collect(
      { sandbox: new ScriptedSandbox(), model: new ScriptedModel([reply, PROSE]) },
      request({ iterations: 1, candidates: 2 }),
    );
    const [fast, prose] = measured(events);
    expect(fast?.explanation?.model).toBe('Sorting once avoids the repeated scans.\n\nThe result is the same.');
    expect(fast?.explanation?.measured).toEqual([
      "The original spent 80 % of its time on line 5 (`_cost = 10`); the candidate's hottest line takes 80 % (line 5, `_cost = 2`).",
    ]);
    expect(prose?.explanation?.model).toBe(PROSE);
    expect(finished(events).best?.explanation?.model).toBe(
      'Sorting once avoids the repeated scans.\n\nThe result is the same.',
    );
    expect(finished(events).reason).toMatch(
      /Best: iteration 1, 5\.0× faster than the original, peak memory about the same/,
    );
  });
});
