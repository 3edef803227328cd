import { describe, expect, it } from 'vitest';
import { findHarnessReport, toSandboxResult } from '../../src/adapters/harnessReport';
import type { ProcessOutcome } from '../../src/adapters/harnessReport';
import { createOutputCapture } from '../../src/adapters/outputCapture';
import type { SandboxResult } from '../../src/core/sandboxTypes';

const MARK = '@@AFTERBURNER_REPORT@@';
const context = {
  sandbox: 'local' as const,
  isolation: 'test isolation',
  wallMs: 12,
  limits: { timeoutMs: 5000, memoryMb: 256 },
};

function outcome(stdout: string, over: Partial<ProcessOutcome> = {}, stderr = ''): ProcessOutcome {
  const out = createOutputCapture();
  out.push(Buffer.from(stdout));
  const err = createOutputCapture();
  err.push(Buffer.from(stderr));
  return {
    stdout: out.result(),
    stderr: err.result(),
    exitCode: 0,
    signal: null,
    exitCodeCarriesSignal: true,
    timedOut: false,
    oomKilled: false,
    ...over,
  };
}

const passed = { kind: 'passed', tests: { passed: 2, failed: 0 }, runner: 'pytest' };

describe('harness report', () => {
  it('takes the last marker line, after whatever the code printed', () => {
    const fake = JSON.stringify({ ...passed, runner: 'fake' });
    const text = `noise\n${MARK}${fake}\nmore\n${MARK}${JSON.stringify(passed)}\n`;
    expect(findHarnessReport(text)).toMatchObject({ runner: 'pytest' });
  });

  it('ignores a marker in the middle of a line and reports without a marker as none', () => {
    expect(findHarnessReport(`print ${MARK}${JSON.stringify(passed)}\n`)).toBeUndefined();
    expect(findHarnessReport('no report here\n')).toBeUndefined();
    expect(findHarnessReport(`${MARK}{not json\n`)).toBeUndefined();
    expect(findHarnessReport(`${MARK}${JSON.stringify({ kind: 'passed' })}\n`)).toBeUndefined();
  });

  it('maps passed and failed reports with the run info', () => {
    const ok = toSandboxResult(outcome(`hi\n${MARK}${JSON.stringify(passed)}\n`), context);
    expect(ok).toMatchObject({
      kind: 'passed',
      tests: { passed: 2, failed: 0 },
      sandbox: 'local',
      isolation: 'test isolation',
      wallMs: 12,
    });
    expect(ok.output).toBe('hi');
    const failures = [{ test: 't', message: 'boom' }];
    const bad = toSandboxResult(
      outcome(`${MARK}${JSON.stringify({ kind: 'failed', tests: { passed: 0, failed: 1 }, runner: 'x', failures })}\n`),
      context,
    );
    expect(bad).toMatchObject({ kind: 'failed', failures });
  });

  it('says below 95 % coverage how much of the function’s time the figures leave out, and the longest call left out', () => {
    const noted = (report: object): readonly string[] | undefined => {
      const result = toSandboxResult(outcome(`${MARK}${JSON.stringify({ ...passed, ...report })}\n`), context);
      return result.kind === 'passed' ? result.notes : undefined;
    };
    expect(noted({ coverage: 0.0004, longestUnrecordedMs: 21.4, notes: ['1 call to total not recorded: x.'] })).toEqual(
      [
        '1 call to total not recorded: x.',
        "the calls that could not be recorded took over 99.9 % of the tests' time in the function: the figures leave them out (the longest took 21.4 ms).",
      ],
    );
    expect(noted({ coverage: 0.58, longestUnrecordedMs: 0.0412 })).toEqual([
      "the calls that could not be recorded took 42.0 % of the tests' time in the function: the figures leave them out (the longest took 41.2 µs).",
    ]);
    // At 95 % and above the figures stand for the function; a share from a sandbox outside 0..1 is not believed.
    expect(noted({ coverage: 0.95, longestUnrecordedMs: 3 })).toBeUndefined();
    expect(noted({ coverage: 1.7, longestUnrecordedMs: 3 })).toBeUndefined();
    expect(noted({ coverage: 0.5, longestUnrecordedMs: 'long' })?.[0]).toMatch(/leave them out\.$/);
  });

  it('keeps a well-formed in-place timing and says in the coverage note what it covers', () => {
    const runtimeMs = { median: 7.65, min: 7.37, mean: 7.8, cv: 0.02, samples: 3, values: [7.37, 7.65, 8.38] };
    const inPlace = { runtimeMs, calls: 1, tests: 1, coverage: 1, share: 0.9998 };
    const measured = (timing: unknown): SandboxResult =>
      toSandboxResult(
        outcome(
          `${MARK}${JSON.stringify({
            ...passed,
            coverage: 0.0002,
            longestUnrecordedMs: 11.7,
            measurement: {
              runtimeMs: { ...runtimeMs, median: 0.0003 },
              peakMemoryKb: 0.3,
              integralKbMs: 0,
              calls: 2,
              inPlace: timing,
            },
          })}\n`,
        ),
        context,
      );
    const kept = measured(inPlace);
    expect(kept.kind === 'passed' && kept.measurement?.inPlace).toEqual(inPlace);
    expect(kept.kind === 'passed' && kept.notes).toEqual([
      "the calls that could not be recorded took over 99.9 % of the tests' time in the function (the longest took 11.7 ms): the replayed figures leave them out, so they were timed in place, in 3 runs of the 1 test making them (7.65 ms a run); together the figures cover 100 % of it.",
    ]);
    // A sandbox's figures that cannot be are dropped, and the note says the figures leave the calls out.
    for (const bad of [
      { ...inPlace, coverage: 2 },
      { ...inPlace, share: undefined },
      { ...inPlace, calls: -1 },
      { ...inPlace, runtimeMs: { ...runtimeMs, samples: 4 } },
      { ...inPlace, runtimeMs: { ...runtimeMs, median: 'fast' } },
      'in place',
    ]) {
      const dropped = measured(bad);
      expect(dropped.kind === 'passed' && dropped.measurement).not.toHaveProperty('inPlace');
      expect(dropped.kind === 'passed' && dropped.notes?.[0]).toMatch(
        /: the figures leave them out \(the longest took 11\.7 ms\)\.$/,
      );
    }
  });

  it('keeps the in-place basis of a measurement when no call was recorded, and words the note for it', () => {
    const runtimeMs = { median: 73.6, min: 73.5, mean: 74, cv: 0.01, samples: 3, values: [73.5, 73.6, 74.9] };
    const inPlace = { runtimeMs, calls: 2, tests: 2, coverage: 1, share: 1 };
    const measured = (basis: unknown): SandboxResult =>
      toSandboxResult(
        outcome(
          `${MARK}${JSON.stringify({
            ...passed,
            coverage: 0,
            longestUnrecordedMs: 45.8,
            measurement: { runtimeMs, peakMemoryKb: 8202, integralKbMs: 188968, calls: 2, inPlace, basis },
          })}\n`,
        ),
        context,
      );
    const kept = measured('inPlace');
    expect(kept.kind === 'passed' && kept.measurement?.basis).toBe('inPlace');
    expect(kept.kind === 'passed' && kept.notes).toEqual([
      "no call could be recorded (the longest took 45.8 ms), so every figure is from the calls timed in place: 3 runs of the 2 tests making them (73.6 ms a run), memory from the same tests run again with the memory traced; they cover 100 % of the tests' time in the function.",
    ]);
    const unknown = measured('guessed');
    expect(unknown.kind === 'passed' && unknown.measurement).not.toHaveProperty('basis');
  });

  it('does not trust a report from a process that was killed or crashed', () => {
    const report = `${MARK}${JSON.stringify(passed)}\n`;
    expect(
      toSandboxResult(outcome(report, { timedOut: true, exitCode: null, signal: 'SIGKILL' }), context),
    ).toMatchObject({ kind: 'timeout', limitMs: 5000 });
    expect(toSandboxResult(outcome(report, { exitCode: 139 }), context)).toMatchObject({
      kind: 'crashed',
      signal: 'SIGSEGV',
    });
  });

  it('classifies memory: cgroup OOM kill, harness memory report, V8 heap exhaustion', () => {
    expect(toSandboxResult(outcome('', { oomKilled: true, exitCode: 137 }), context)).toMatchObject({
      kind: 'memory_limit',
      limitMb: 256,
    });
    expect(toSandboxResult(outcome(`${MARK}{"kind":"memory_limit","message":"MemoryError"}\n`), context)).toMatchObject(
      { kind: 'memory_limit' },
    );
    const v8 = 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n';
    expect(toSandboxResult(outcome('', { exitCode: 134 }, v8), context)).toMatchObject({ kind: 'memory_limit' });
  });

  it('names signals, from the process or from a 128+N exit code', () => {
    expect(
      toSandboxResult(outcome('', { exitCode: null, signal: 'SIGSEGV', exitCodeCarriesSignal: false }), context),
    ).toMatchObject({
      kind: 'crashed',
      signal: 'SIGSEGV',
      message: expect.stringContaining('segmentation fault'),
    });
    expect(toSandboxResult(outcome('', { exitCode: 137, exitCodeCarriesSignal: false }), context)).toMatchObject({
      kind: 'crashed',
      exitCode: 137,
    });
    expect(toSandboxResult(outcome('', { exitCode: null, signal: 'SIGXCPU' }), context)).toMatchObject({
      kind: 'timeout',
    });
  });

  it('says when the process ended without a report', () => {
    const result = toSandboxResult(outcome('', { exitCode: 3 }, 'Traceback: boom\n'), context);
    expect(result).toMatchObject({ kind: 'crashed', exitCode: 3 });
    expect(result.kind === 'crashed' && result.message).toContain('boom');
  });
});
