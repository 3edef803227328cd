import { describe, expect, it } from 'vitest';
import type * as vscode from 'vscode';
import { startRun, type RunRecord } from '../../src/panel/panelState';
import { MAX_STORED_RUNS, RunStore } from '../../src/vscode/runStore';

/** workspaceState as VS Code keeps it: values go through JSON. */
function fakeMemento(initial: Record<string, unknown> = {}): vscode.Memento {
  const data = new Map(Object.entries(initial).map(([k, v]) => [k, JSON.stringify(v)]));
  return {
    keys: () => [...data.keys()],
    get: <T>(key: string, fallback?: T) => (data.has(key) ? (JSON.parse(data.get(key) as string) as T) : fallback),
    update: async (key: string, value: unknown) => void data.set(key, JSON.stringify(value)),
  } as vscode.Memento;
}

function run(id: string, startedAt: number): RunRecord {
  return startRun({
    id,
    kind: 'optimize',
    fileLabel: 'a.py',
    startedAt,
    source: {
      documentUri: 'file:///w/a.py',
      target: 'f',
      language: 'python',
      originalCode: 'def f(): pass',
      indent: '',
      testUris: [],
    },
  });
}

describe('run store (past runs of the workspace)', () => {
  it('gives back what it stored, newest first', async () => {
    const memento = fakeMemento();
    await new RunStore(memento).save([run('old', 1), run('new', 2)]);
    const loaded = new RunStore(memento).load();
    expect(loaded.map((r) => r.view.id)).toEqual(['new', 'old']);
    expect(loaded[0]?.source.originalCode).toBe('def f(): pass');
  });

  it(`keeps only the newest ${MAX_STORED_RUNS} runs`, async () => {
    const memento = fakeMemento();
    await new RunStore(memento).save(Array.from({ length: MAX_STORED_RUNS + 5 }, (_, i) => run(`r${i}`, i)));
    const loaded = new RunStore(memento).load();
    expect(loaded).toHaveLength(MAX_STORED_RUNS);
    expect(loaded[0]?.view.id).toBe(`r${MAX_STORED_RUNS + 4}`);
  });

  it('drops entries it cannot read instead of failing', () => {
    const memento = fakeMemento({ 'afterburner.runs.v1': [{ nonsense: true }, run('ok', 1), 'x'] });
    expect(new RunStore(memento).load().map((r) => r.view.id)).toEqual(['ok']);
    expect(new RunStore(fakeMemento({ 'afterburner.runs.v1': 'broken' })).load()).toEqual([]);
  });

  it('reopens a run stored with a bare ratio (an older version) with its change in words', () => {
    // Stored before the words existed: the panel used to render this best as "×0.19 memory".
    const stored = run('old', 1);
    const best = { iteration: 1, medianMs: 0.04, speedup: 251, memoryRatio: 0.19, integralRatio: 1 };
    const memento = fakeMemento({ 'afterburner.runs.v1': [{ ...stored, view: { ...stored.view, best } }] });
    expect(new RunStore(memento).load()[0]?.view.best?.changeWords).toBe('251× faster, peak memory 5.3× higher');
  });
});
