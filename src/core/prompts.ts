/**
 * The messages the model sees each iteration. Following the Afterburner recipe: the problem (the
 * function, its context and tests), the current best code, and its measured performance; failed
 * candidates of the previous round come back with their failing tests so the model can repair.
 */
import { integralWords, memoryWords, speedAgainst } from './changeWords';
import type { ChatMessage } from './modelTypes';
import type { CandidateReport, Goal } from './loopTypes';
import type { LanguageSupport } from './languageSupport';
import type { Measurement, TestCounts, TestFailure } from './sandboxTypes';
import type { FunctionContext } from './functionContext';

export interface PreviousAttempt {
  readonly index: number;
  readonly status: string;
  /** The acceptance decision or failure summary, in words. */
  readonly reason: string;
  readonly code: string;
  readonly failures?: readonly TestFailure[];
  readonly measurement?: Measurement;
}

export interface PromptInput {
  readonly language: LanguageSupport;
  readonly goal: Goal;
  readonly target: string;
  readonly modulePath: string;
  readonly context: FunctionContext;
  readonly tests: readonly { readonly path: string; readonly content: string }[];
  /** The code to improve: the original, or the best candidate so far. */
  readonly best: {
    readonly iteration: number;
    readonly code: string;
    readonly measurement: Measurement;
    readonly tests?: TestCounts;
    readonly speedup: number;
    readonly memoryRatio: number;
    readonly integralRatio: number;
  };
  /** Candidates of the previous iteration. */
  readonly previous: readonly PreviousAttempt[];
  /** The original's measurement, for the numbers behind "peak memory 5.4× higher". */
  readonly original?: Measurement;
}

const MAX_TEST_CHARS = 12_000;
const MAX_ATTEMPT_CODE_CHARS = 4_000;
const MAX_FAILURES_SHOWN = 5;
const MAX_FAILURE_CHARS = 800;

const GOAL_WORDS: Record<Goal, { aim: string; metric: string; better: string }> = {
  time: { aim: 'run faster', metric: 'lower median runtime', better: 'faster' },
  memory: { aim: 'use less memory', metric: 'lower peak memory', better: 'lighter on peak memory' },
  integral: {
    aim: 'use less memory over time',
    metric: 'smaller memory-time integral (memory held × how long it is held)',
    better: 'lighter on memory over time',
  },
};

export function systemPrompt(language: LanguageSupport, goal: Goal): string {
  const words = GOAL_WORDS[goal];
  return [
    `You are an expert performance engineer. You rewrite one ${language.displayName} function so that it will ${words.aim} (${words.metric}),`,
    'without changing what it does.',
    'Rules:',
    '- Keep the name, the parameters and the return type exactly as they are.',
    '- Keep the behaviour identical: same results for every input, same exceptions, same changes to mutable arguments.',
    '- Optimise for the stated goal; the other resources are measured too, so do not waste them.',
    '- Use only the standard library and what the module already imports.',
    '- Reply with ONE fenced code block that holds the whole function, plus any helper functions or imports it needs.',
    '  No tests, no example calls. A short explanation before the block is fine.',
  ].join('\n');
}

export function buildMessages(input: PromptInput): ChatMessage[] {
  return [
    { role: 'system', content: systemPrompt(input.language, input.goal) },
    { role: 'user', content: userPrompt(input) },
  ];
}

export function userPrompt(input: PromptInput): string {
  const fence = fenceTag(input.language);
  const parts: string[] = [];
  parts.push(
    `## Goal\nMake \`${input.target}\` in \`${input.modulePath}\` ${GOAL_WORDS[input.goal].aim}: ${GOAL_WORDS[input.goal].metric}.`,
  );
  parts.push(`## The original function\n${block(fence, input.context.functionCode)}`);
  const contextLines: string[] = [];
  if (input.context.imports.length > 0)
    contextLines.push(`Imports of the module:\n${block(fence, input.context.imports.join('\n'))}`);
  if (input.context.classHeader !== undefined)
    contextLines.push(`It is a method of:\n${block(fence, input.context.classHeader)}`);
  if (input.context.helpers.length > 0)
    contextLines.push(
      `Module-level code it uses (keep using it or inline it; do not change it):\n${block(fence, input.context.helpers.join('\n\n'))}`,
    );
  if (contextLines.length > 0) parts.push(`## Context from the module\n${contextLines.join('\n\n')}`);
  if (input.tests.length > 0) {
    parts.push(
      `## Tests it must keep passing\n${input.tests.map((t) => `\`${t.path}\`:\n${block(fenceTagForPath(t.path, input.language), clip(t.content, MAX_TEST_CHARS))}`).join('\n\n')}\n` +
        'Besides these tests, every call the tests make is replayed against the new version: results, exceptions and argument changes must equal the original’s.',
    );
  }
  const label =
    input.best.iteration === 0 ? 'the original' : `the best candidate so far, from iteration ${input.best.iteration}`;
  if (input.best.iteration !== 0) parts.push(`## Current best version (${label})\n${block(fence, input.best.code)}`);
  parts.push(`## Measured performance of ${label}\n${describeMeasurement(input.best, input.original)}`);
  const hot = input.best.measurement.hotLines ?? [];
  if (hot.length > 0) {
    parts.push(
      `## Hot lines of ${label}\n${hot
        .slice(0, 8)
        .map(
          (h) =>
            `- line ${h.line} (${formatShare(h.share)} of the time${h.hits !== undefined ? `, ${h.hits} hits` : ''}): \`${h.source.trim()}\``,
        )
        .join('\n')}`,
    );
  }
  if (input.previous.length > 0)
    parts.push(
      `## What happened to the previous candidates\n${input.previous.map((a) => describeAttempt(a, fence)).join('\n\n')}`,
    );
  parts.push(`## Task\n${taskText(input)}`);
  return parts.join('\n\n');
}

/** The candidate's fate as the next prompt shows it. */
export function toAttempt(report: CandidateReport): PreviousAttempt {
  return {
    index: report.index,
    status: report.status,
    reason: report.verdict.reason,
    code: report.code,
    ...(report.failures ? { failures: report.failures } : {}),
    ...(report.measurement ? { measurement: report.measurement } : {}),
  };
}

/** Replies the loop could not use at all: nothing was run. */
const UNUSABLE = new Set(['no_code', 'model_error', 'duplicate']);

function taskText(input: PromptInput): string {
  const failed = input.previous.filter((a) => !UNUSABLE.has(a.status) && a.status !== 'passed');
  const unusable = input.previous.filter((a) => a.status === 'no_code' || a.status === 'duplicate');
  const lines = [
    `Write a version of \`${input.target}\` that is correct and clearly ${GOAL_WORDS[input.goal].better} than ${input.best.iteration === 0 ? 'the original' : 'the current best version'}.`,
  ];
  if (failed.length > 0)
    lines.push(
      'Some previous candidates failed (see above): repair them first. Keep their speed idea only if you can make it pass the failing tests and give the same results on every recorded call.',
    );
  if (unusable.length > 0)
    lines.push(
      'Some previous replies could not be used (see above): the reply must contain the complete function in one closed fenced code block, and must differ from versions already tried.',
    );
  lines.push('Reply with one fenced code block holding the whole function.');
  return lines.join(' ');
}

/**
 * Status, runtime (median, CV, samples), peak memory, integral and, for a candidate, the change
 * against the original in words with their direction: the model reads "peak memory 5.4× higher"
 * as people do, where a bare ratio of 0.19 reads backwards.
 */
export function describeMeasurement(best: PromptInput['best'], original?: Measurement): string {
  const m = best.measurement;
  const r = m.runtimeMs;
  const lines = [
    `- status: passed${best.tests ? ` (${best.tests.passed} test${best.tests.passed === 1 ? '' : 's'})` : ''}`,
    `- runtime: ${formatMs(r.median)} ms median per replay of ${m.calls} recorded call${m.calls === 1 ? '' : 's'} (min ${formatMs(r.min)} ms, CV ${(r.cv * 100).toFixed(1)} %, ${r.samples} samples)`,
    ...(m.memoryUnmeasured
      ? ['- memory: not measured']
      : [
          `- peak memory: ${m.peakMemoryKb.toFixed(1)} kB above the baseline`,
          `- memory-time integral: ${m.integralKbMs.toFixed(1)} kB·ms`,
        ]),
  ];
  if (best.iteration !== 0) lines.push(`- against the original: ${changeAgainst(best, original)}`);
  if (m.sizes && m.sizes.length > 1) {
    lines.push(`- runtime by input size: ${m.sizes.map((s) => `n=${s.size}: ${formatMs(s.runtimeMs)} ms`).join(', ')}`);
  }
  return lines.join('\n');
}

/** "2.50× faster than the original, peak memory 5.4× higher (110.0 kB against 20.0 kB), …". */
function changeAgainst(best: PromptInput['best'], original: Measurement | undefined): string {
  const m = best.measurement;
  const unmeasured = m.memoryUnmeasured === true || original?.memoryUnmeasured === true;
  const was = (now: number, before: number | undefined, unit: string): string =>
    before === undefined || unmeasured ? '' : ` (${now.toFixed(1)} ${unit} against ${before.toFixed(1)} ${unit})`;
  return [
    speedAgainst(best.speedup, 'the original'),
    memoryWords(best.memoryRatio) + was(m.peakMemoryKb, original?.peakMemoryKb, 'kB'),
    integralWords(best.integralRatio) + was(m.integralKbMs, original?.integralKbMs, 'kB·ms'),
  ].join(', ');
}

const STATUS_WORDS: Record<string, string> = {
  no_code: 'reply not usable',
  model_error: 'no reply',
  duplicate: 'already tried',
  error: 'did not load or run',
};

function describeAttempt(a: PreviousAttempt, fence: string): string {
  const lines = [`### Candidate ${a.index}: ${STATUS_WORDS[a.status] ?? a.status} — ${a.reason}`];
  if (a.measurement) {
    lines.push(
      `Measured: ${formatMs(a.measurement.runtimeMs.median)} ms median (CV ${(a.measurement.runtimeMs.cv * 100).toFixed(1)} %), ${a.measurement.memoryUnmeasured ? 'memory not measured' : `${a.measurement.peakMemoryKb.toFixed(1)} kB peak, ${a.measurement.integralKbMs.toFixed(1)} kB·ms`}.`,
    );
  }
  const failures = a.failures ?? [];
  if (failures.length > 0) {
    lines.push('Failing tests:');
    for (const f of failures.slice(0, MAX_FAILURES_SHOWN))
      lines.push(`- ${f.test}: ${clip(f.message.trim(), MAX_FAILURE_CHARS)}`);
    if (failures.length > MAX_FAILURES_SHOWN) lines.push(`- … and ${failures.length - MAX_FAILURES_SHOWN} more`);
  }
  if (a.code.trim() !== '' && (failures.length > 0 || a.status !== 'passed'))
    lines.push(`Its code:\n${block(fence, clip(a.code, MAX_ATTEMPT_CODE_CHARS))}`);
  return lines.join('\n');
}

function block(tag: string, code: string): string {
  const longest = Math.max(2, ...(code.match(/`{3,}/g) ?? []).map((f) => f.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${tag}\n${code.replace(/\s+$/, '')}\n${fence}`;
}

function fenceTag(language: LanguageSupport): string {
  return language.fence;
}

function fenceTagForPath(path: string, fallback: LanguageSupport): string {
  return fallback.fenceForPath(path) ?? fallback.fence;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters)`;
}

function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(3);
  return ms.toPrecision(3);
}

function formatShare(share: number): string {
  return `${Math.round(share * 100)} %`;
}
