import { describe, expect, it } from 'vitest';
import { languageOf } from '../../src/languages/registry';
import { gatherContext } from '../../src/core/functionContext';
import { buildMessages, type PromptInput } from '../../src/core/prompts';
import type { Measurement } from '../../src/core/sandboxTypes';

const MODULE = [
  'import bisect',
  'from collections import Counter',
  '',
  'LIMIT = 1000',
  '',
  'def _norm(x):',
  '    return x % LIMIT',
  '',
  'def unrelated():',
  '    return 0',
  '',
  'class Index(Base):',
  '    def find(self, xs, y):',
  '        return [i for i, x in enumerate(xs) if _norm(x) == y]',
  '',
].join('\n');

const measurement: Measurement = {
  runtimeMs: { median: 12.3456, min: 11.9, mean: 12.5, cv: 0.034, samples: 40, values: [] },
  peakMemoryKb: 345.6,
  integralKbMs: 4321.5,
  calls: 7,
  hotLines: [
    { line: 14, source: '        return [i for i, x in enumerate(xs) if _norm(x) == y]', share: 0.87, hits: 7000 },
  ],
};

function input(overrides: Partial<PromptInput> = {}): PromptInput {
  const context = gatherContext(languageOf('python'), MODULE, 'Index.find');
  if (!context) throw new Error('no context');
  return {
    language: languageOf('python'),
    goal: 'time',
    target: 'Index.find',
    modulePath: 'pkg/index.py',
    context,
    tests: [{ path: 'tests/test_index.py', content: 'def test_find():\n    assert Index().find([1, 2], 2) == [1]\n' }],
    best: {
      iteration: 0,
      code: context.functionCode,
      measurement,
      tests: { passed: 5, failed: 0 },
      speedup: 1,
      memoryRatio: 1,
      integralRatio: 1,
    },
    previous: [],
    ...overrides,
  };
}

describe('buildMessages', () => {
  it('has a system message asking an expert to keep signature and behaviour and reply with one code block', () => {
    const [system] = buildMessages(input());
    expect(system?.role).toBe('system');
    expect(system?.content).toMatch(/expert performance engineer/);
    expect(system?.content).toMatch(/Keep the name, the parameters/);
    expect(system?.content).toMatch(/ONE fenced code block/);
    expect(system?.content).toMatch(/run faster/);
    expect(buildMessages(input({ goal: 'memory' }))[0]?.content).toMatch(/less memory/);
  });

  it('shows the function with the context it needs: imports, the helpers it calls, its class header', () => {
    const user = buildMessages(input())[1]?.content ?? '';
    expect(user).toContain('def find(self, xs, y):\n    return [i for i');
    expect(user).toContain('import bisect\nfrom collections import Counter');
    expect(user).toContain('class Index(Base):');
    expect(user).toContain('def _norm(x):');
    expect(user).not.toContain('def unrelated');
    expect(user).toContain('def test_find():');
    expect(user).toContain('tests/test_index.py');
  });

  it('carries the measured numbers of the original: status, runtime with CV, peak, integral, hot lines', () => {
    const user = buildMessages(input())[1]?.content ?? '';
    expect(user).toContain('status: passed (5 tests)');
    expect(user).toContain('12.346 ms median per replay of 7 recorded calls');
    expect(user).toContain('CV 3.4 %');
    expect(user).toContain('40 samples');
    expect(user).toContain('345.6 kB');
    expect(user).toContain('4321.5 kB·ms');
    expect(user).not.toContain('against the original');
    expect(user).toContain('line 14 (87 % of the time, 7000 hits)');
  });

  it('says the memory was not measured rather than giving its placeholder zeros as figures', () => {
    const unmeasured = { ...measurement, peakMemoryKb: 0, integralKbMs: 0, memoryUnmeasured: true as const };
    const best = { ...input().best, measurement: unmeasured };
    const user = buildMessages(input({ best }))[1]?.content ?? '';
    expect(user).toContain('- memory: not measured');
    expect(user).not.toMatch(/0\.0 kB/);
  });

  it('shows the current best code when it is not the original', () => {
    const user =
      buildMessages(
        input({
          best: {
            iteration: 2,
            code: 'def find(self, xs, y):\n    return FAST',
            measurement,
            speedup: 2.5,
            memoryRatio: 1.1,
            integralRatio: 1.3,
          },
        }),
      )[1]?.content ?? '';
    expect(user).toContain('## Current best version (the best candidate so far, from iteration 2)');
    expect(user).toContain('return FAST');
    expect(user).toContain('- against the original: 2.5× faster than the original, peak memory 9 % lower');
  });

  it('says in words which way memory went against the original, with the kB behind it', () => {
    const heavier: Measurement = { ...measurement, peakMemoryKb: 110, integralKbMs: 2000 };
    const lighter: Measurement = { ...measurement, peakMemoryKb: 20, integralKbMs: 6200 };
    const user =
      buildMessages(
        input({
          best: {
            iteration: 3,
            code: 'def find(self, xs, y):\n    return FAST',
            measurement: heavier,
            speedup: 4,
            memoryRatio: 20 / 110,
            integralRatio: 6200 / 2000,
          },
          original: lighter,
        }),
      )[1]?.content ?? '';
    expect(user).toContain(
      '- against the original: 4.0× faster than the original, peak memory 5.5× higher (110.0 kB against 20.0 kB), memory-time integral 68 % lower (2000.0 kB·ms against 6200.0 kB·ms)',
    );
    expect(user).not.toMatch(/memory ratio|integral ratio|> 1 is better/);
  });

  it('gives back failing test names and messages of the previous candidates so the model can repair them', () => {
    const user =
      buildMessages(
        input({
          previous: [
            {
              index: 1,
              status: 'failed',
              reason: 'rejected: it failed 1 of 5 test(s)',
              code: 'def find(self, xs, y):\n    return BROKEN',
              failures: [
                { test: 'test_find', message: 'AssertionError: assert [] == [1]' },
                { test: 'differential check (call 3)', message: 'expected [0, 4], got [0]' },
              ],
            },
            {
              index: 2,
              status: 'passed',
              reason: 'rejected: 3 % faster, within noise (p = 0.21)',
              code: 'def find(): ...',
              measurement,
            },
          ],
        }),
      )[1]?.content ?? '';
    expect(user).toContain('test_find: AssertionError: assert [] == [1]');
    expect(user).toContain('differential check (call 3): expected [0, 4], got [0]');
    expect(user).toContain('return BROKEN');
    expect(user).toContain('rejected: 3 % faster, within noise (p = 0.21)');
    expect(user).toMatch(/Some previous candidates failed/);
  });

  it('fences code that itself contains a fence with a longer fence', () => {
    const user = buildMessages(input({ tests: [{ path: 't.py', content: 's = """```"""' }] }))[1]?.content ?? '';
    expect(user).toContain('````python\ns = """```"""\n````');
  });
});
