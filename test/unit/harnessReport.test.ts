import { describe, expect, it } from 'vitest';
import { findHarnessReport, toSandboxResult } from '../../src/adapters/harnessReport';
import type { ProcessOutcome } from '../../src/adapters/harnessReport';
import { createOutputCapture } from '../../src/adapters/outputCapture';

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
