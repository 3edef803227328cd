/** Sandbox outcomes in words, for verdicts, the prompt and the "what next" of a failed run. */
import type { SandboxResult, TestFailure } from './sandboxTypes';

const MAX_FAILURES_IN_SUMMARY = 3;
const MAX_MESSAGE_CHARS = 300;

/** "test_a: AssertionError: 3 != 4; test_b: …" */
export function summarizeFailures(failures: readonly TestFailure[]): string {
  const shown = failures.slice(0, MAX_FAILURES_IN_SUMMARY).map((f) => `${f.test}: ${oneLine(f.message)}`);
  if (failures.length > MAX_FAILURES_IN_SUMMARY) shown.push(`and ${failures.length - MAX_FAILURES_IN_SUMMARY} more`);
  return shown.join('; ');
}

/**
 * What went wrong, with `subject` ("The original", "it") as the sentence's subject; with
 * `nextStep` a hint of what the user can do is appended.
 */
export function describeSandboxFailure(result: SandboxResult, subject: string, nextStep = true): string {
  switch (result.kind) {
    case 'passed':
      return `${subject} passed`;
    case 'failed': {
      const total = result.tests.passed + result.tests.failed;
      const counted = result.tests.failed > 0 ? `${result.tests.failed} of ${total} test(s)` : 'its checks';
      const what = `${subject} failed ${counted}: ${summarizeFailures(result.failures) || 'no failure message'}`;
      return nextStep
        ? `${what}. Next step: make the tests pass on the original (afterburner profile shows them), then run again.`
        : what;
    }
    case 'timeout': {
      const what = `${subject} timed out after ${(result.limitMs / 1000).toFixed(result.limitMs % 1000 === 0 ? 0 : 1)} s`;
      return nextStep ? `${what}. Next step: raise the time limit (--timeout) or give the tests smaller inputs.` : what;
    }
    case 'memory_limit': {
      const what = `${subject} ran out of memory (limit ${result.limitMb} MB)`;
      return nextStep ? `${what}. Next step: raise the memory limit (--memory).` : what;
    }
    case 'crashed': {
      const how = result.signal
        ? `signal ${result.signal}`
        : result.exitCode !== undefined
          ? `exit code ${result.exitCode}`
          : 'no report';
      const what = `${subject} crashed (${how}): ${oneLine(result.message)}`;
      return nextStep ? `${what}. Next step: run the tests by hand to see the crash.` : what;
    }
    case 'error': {
      const what = `the sandbox reported an error: ${oneLine(result.message)}`;
      return nextStep ? `${what[0]?.toUpperCase() ?? ''}${what.slice(1)}` : what;
    }
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_MESSAGE_CHARS ? flat : `${flat.slice(0, MAX_MESSAGE_CHARS)}…`;
}

/**
 * The share of the tests' time in the function that the recording stands for, as said beside the
 * call counts: "99.8 %", "4.21 %", "under 0.1 %".
 */
export function coveragePercent(share: number): string {
  const percent = share * 100;
  if (percent < 0.1) return 'under 0.1 %';
  if (percent >= 99.95) return '100 %';
  return `${percent >= 10 ? percent.toFixed(1) : percent.toFixed(2)} %`;
}
