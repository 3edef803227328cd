import { describe, expect, it } from 'vitest';
import { parseFromWebviewMessage } from '../../src/shared/protocol';
import {
  codeLensTitle,
  finishedView,
  hotFunctionAt,
  languageView,
  restoredView,
  runningView,
} from '../../src/panel/hotspotsState';
import type { HotFunction } from '../../src/core/hotspots';
import type { SandboxResult } from '../../src/core/sandboxTypes';

const info = { sandbox: 'local', isolation: 'local', wallMs: 1000, output: '' } as const;
const hot = (fn: string, share: number): HotFunction => ({
  file: 'pkg/a.py',
  function: fn,
  line: 3,
  totalMs: share * 100,
  selfMs: 1,
  calls: 2,
  share,
});
const passed: SandboxResult = {
  ...info,
  kind: 'passed',
  tests: { passed: 4, failed: 0 },
  runner: 'pytest',
  hotspots: { testMs: 100, functions: [] },
};

describe('Hot functions messages from the panel', () => {
  it('accepts the section buttons and rejects anything else', () => {
    expect(parseFromWebviewMessage({ type: 'findHotspots' })).toEqual({
      kind: 'ok',
      message: { type: 'findHotspots' },
    });
    expect(parseFromWebviewMessage({ type: 'cancelHotspots' }).kind).toBe('ok');
    expect(parseFromWebviewMessage({ type: 'hotspot', action: 'optimize', language: 0, index: 2 })).toEqual({
      kind: 'ok',
      message: { type: 'hotspot', action: 'optimize', language: 0, index: 2 },
    });
    for (const bad of [
      { type: 'hotspot', action: 'delete', language: 0, index: 0 },
      { type: 'hotspot', action: 'open', language: -1, index: 0 },
      { type: 'hotspot', action: 'open', language: 0, index: 1.5 },
      { type: 'hotspot', action: 'open', language: 0, index: 0, file: '/etc/passwd' },
      { type: 'findHotspots', folder: '/' },
    ])
      expect(parseFromWebviewMessage(bad).kind, JSON.stringify(bad)).toBe('invalid');
  });
});

describe('Hot functions view model', () => {
  it('lists the ranked functions of a language and says who is hottest', () => {
    const lang = languageView('python', passed, [hot('slow', 0.9), hot('fast', 0.05)]);
    expect(lang).toMatchObject({ status: 'passed', testMs: 100, tests: { passed: 4, failed: 0 } });
    expect(lang.functions.map((f) => f.function)).toEqual(['slow', 'fast']);
    const view = finishedView('proj', 1, 2, [lang]);
    expect(view).toMatchObject({ status: 'done', message: "slow takes 90 % of its tests' time." });
    expect(hotFunctionAt(view, 0, 1)?.fn.function).toBe('fast');
    expect(hotFunctionAt(view, 0, 2)).toBeUndefined();
    expect(hotFunctionAt(view, 1, 0)).toBeUndefined();
  });

  it('keeps the functions of a run whose tests failed, and explains a run that did not finish', () => {
    const failed: SandboxResult = { ...passed, kind: 'failed', tests: { passed: 3, failed: 1 }, failures: [] };
    const lang = languageView('python', failed, [hot('slow', 0.5)]);
    expect(lang.status).toBe('failed');
    expect(lang.message).toMatch(/1 failed: hot functions are from the tests that ran/);
    expect(lang.functions).toHaveLength(1);
    const timedOut = languageView('typescript', { ...info, kind: 'timeout', limitMs: 300_000 }, []);
    expect(timedOut).toMatchObject({ status: 'timeout', functions: [] });
    expect(finishedView('proj', 1, 2, [timedOut]).status).toBe('error');
    expect(finishedView('proj', 1, 2, []).message).toMatch(/No tests found in proj/);
  });

  it('words the CodeLens as a share of test time', () => {
    expect(codeLensTitle(hot('slow', 0.234))).toBe('23 % of test time · Optimize');
    expect(codeLensTitle(hot('slow', 0.042))).toBe('4.2 % of test time · Optimize');
  });

  it('restores a stored result, a search cut off by closing the window as cancelled, and drops junk', () => {
    const done = finishedView('proj', 1, 2, [languageView('python', passed, [hot('slow', 0.9)])]);
    expect(restoredView(JSON.parse(JSON.stringify(done)))).toEqual(done);
    expect(restoredView(runningView('proj', 5))?.status).toBe('cancelled');
    expect(restoredView({ folder: 'x', startedAt: 1, languages: [{ functions: [{ file: 1 }] }] })).toBeUndefined();
    expect(restoredView('nonsense')).toBeUndefined();
  });
});
