import { describe, expect, it } from 'vitest';
import type * as vscode from 'vscode';
import { reduceGrowth, startRun, type RunRecord } from '../../src/panel/panelState';
import { RunStore } from '../../src/vscode/runStore';

function fakeMemento(): vscode.Memento {
  const data = new Map<string, string>();
  return {
    keys: () => [...data.keys()],
    get: <T>(key: string, fallback?: T) => (data.has(key) ? (JSON.parse(data.get(key) as string) as T) : fallback),
    update: async (key: string, value: unknown) => void data.set(key, JSON.stringify(value)),
  } as vscode.Memento;
}

function profiled(id: string): RunRecord {
  const record = startRun({
    id,
    kind: 'profile',
    fileLabel: 'a.py',
    startedAt: 1,
    source: {
      documentUri: 'file:///w/a.py',
      target: 'f',
      language: 'python',
      originalCode: 'def f(xs): pass',
      indent: '',
      testUris: [],
    },
  });
  const sizes = [10, 20, 40, 80];
  return reduceGrowth(
    reduceGrowth(record, { type: 'growthStarted', sizes, versions: [{ version: 'original', label: 'Original' }] }),
    {
      type: 'growthMeasured',
      version: 'original',
      result: {
        kind: 'passed',
        sandbox: 'local',
        isolation: 'bwrap',
        wallMs: 10,
        output: '',
        tests: { passed: 1, failed: 0 },
        runner: 'pytest',
        measurement: {
          runtimeMs: { median: 1, min: 1, mean: 1, cv: 0, samples: 1, values: [1] },
          peakMemoryKb: 1,
          integralKbMs: 1,
          calls: 1,
          sizes: sizes.map((n) => ({ size: n, runtimeMs: n * 0.01, peakMemoryKb: n })),
        },
      },
    },
  );
}

describe('run store keeps the growth section of past runs', () => {
  it('gives back the growth curve and fitted class after a reload', async () => {
    const memento = fakeMemento();
    await new RunStore(memento).save([profiled('p1')]);
    const growth = new RunStore(memento).load()[0]?.view.growth;
    expect(growth?.series[0]?.kind).toBe('measured');
    expect(growth?.summary).toBe('time ≈ n; memory ≈ n');
  });

  it('keeps the run but leaves out a growth section it cannot read', async () => {
    const memento = fakeMemento();
    const broken = profiled('p2');
    await memento.update('afterburner.runs.v1', [
      { ...broken, view: { ...broken.view, growth: { status: 'done', sizes: 'many', series: [], summary: '' } } },
    ]);
    const loaded = new RunStore(memento).load();
    expect(loaded.map((r) => r.view.id)).toEqual(['p2']);
    expect(loaded[0]?.view.growth).toBeUndefined();
    expect(loaded[0]?.view.functionName).toBe('f');
  });
});
