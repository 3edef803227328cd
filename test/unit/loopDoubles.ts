import { optimize, type LoopDeps } from '../../src/core/loop';
import type { LoopEvent, OptimizeRequest } from '../../src/core/loopTypes';
import type { ChatMessage, CompletionOptions, CompletionResult, LanguageModel } from '../../src/core/modelTypes';
import type { Measurement, Sandbox, SandboxJob, SandboxResult } from '../../src/core/sandboxTypes';
import { languageOf } from '../../src/languages/registry';

/** Doubles of the loop's ports shared by the loop's unit tests. */
export const MODULE =
  'import math\n\n\ndef slow(xs):\n    _cost = 10\n    return sorted(xs)\n\n\ndef untouched():\n    return 1\n';

/** Runtime samples around `median` with a small, deterministic spread. */
export function measurement(median: number, peakMemoryKb = 100): Measurement {
  const values = Array.from({ length: 20 }, (_, k) => median * (1 + 0.01 * Math.sin(k * 2.3)));
  return {
    runtimeMs: { median, min: median * 0.99, mean: median, cv: 0.01, samples: values.length, values },
    peakMemoryKb,
    integralKbMs: peakMemoryKb * median,
    calls: 4,
    hotLines: [{ line: 5, source: `    _cost = ${median}`, share: 0.8, hits: 40 }],
  };
}

export const runInfo = { sandbox: 'local' as const, isolation: 'test double', wallMs: 1, output: '' };

/**
 * A sandbox double that reads the module it is given: `_cost = N` is the runtime it reports,
 * `_fail = "message"` makes a test fail, `_hang = 1` makes it run until cancelled. A check job's
 * reference module is measured beside the candidate (`referenceMeasurement`) unless `sideBySide`
 * is false; `drift` scales every check run's runtimes, as a machine busier (> 1) or quieter (< 1)
 * than during the original's run would.
 */
export class ScriptedSandbox implements Sandbox {
  readonly jobs: SandboxJob[] = [];
  constructor(
    private readonly original: SandboxResult | undefined = undefined,
    private readonly options: { readonly sideBySide?: boolean; readonly drift?: number } = {},
  ) {}
  describe() {
    return { sandbox: 'local' as const, isolation: 'test double' };
  }
  async dispose() {}
  async run(job: SandboxJob, signal?: AbortSignal): Promise<SandboxResult> {
    this.jobs.push(job);
    if (signal?.aborted) throw new Error('aborted');
    const text = job.files.find((f) => f.path === job.modulePath)?.content ?? '';
    if (job.mode.kind === 'profile') {
      return (
        this.original ?? {
          ...runInfo,
          kind: 'passed',
          tests: { passed: 3, failed: 0 },
          runner: 'pytest',
          measurement: measurement(10),
          recording: { language: 'python', calls: 4, data: 'REC' },
        }
      );
    }
    if (job.mode.kind === 'check' && job.mode.recording.data !== 'REC')
      throw new Error('check without the original recording');
    if (/_hang = 1/.test(text)) {
      return await new Promise<SandboxResult>((_, reject) =>
        signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    }
    if (/_syntax = 1/.test(text))
      return { ...runInfo, kind: 'error', message: "SyntaxError: expected ':' (mod.py, line 4)" };
    const fail = /_fail = "(.*)"/.exec(text);
    if (fail)
      return {
        ...runInfo,
        kind: 'failed',
        tests: { passed: 2, failed: 1 },
        runner: 'pytest',
        failures: [{ test: 'test_sorted_output', message: fail[1] as string }],
      };
    const drift = this.options.drift ?? 1;
    const costOf = (source: string): number => Number(/_cost = ([\d.]+)/.exec(source)?.[1] ?? '10') * drift;
    const reference = job.mode.kind === 'check' && this.options.sideBySide !== false ? job.mode.reference : undefined;
    const referenceText = reference ? job.files.find((f) => f.path === reference.modulePath)?.content : undefined;
    return {
      ...runInfo,
      kind: 'passed',
      tests: { passed: 3, failed: 0 },
      runner: 'pytest',
      measurement: measurement(costOf(text)),
      ...(referenceText !== undefined ? { referenceMeasurement: measurement(costOf(referenceText)) } : {}),
    };
  }
}

/** A model double replaying scripted replies and keeping the messages it was sent. */
export class ScriptedModel implements LanguageModel {
  readonly seen: { messages: readonly ChatMessage[]; options: CompletionOptions }[] = [];
  constructor(
    private readonly replies: (CompletionResult | string | ((signal?: AbortSignal) => Promise<CompletionResult>))[],
  ) {}
  describe() {
    return 'scripted model';
  }
  async complete(
    messages: readonly ChatMessage[],
    options: CompletionOptions,
    signal?: AbortSignal,
  ): Promise<CompletionResult> {
    this.seen.push({ messages, options });
    const next = this.replies.shift() ?? '```python\ndef slow(xs):\n    _cost = 10\n    return sorted(xs)\n```';
    if (typeof next === 'function') return next(signal);
    if (typeof next !== 'string') return next;
    options.onText?.(next.slice(0, 5));
    options.onText?.(next.slice(5));
    return { kind: 'ok', text: next, model: 'scripted' };
  }
}

export const candidate = (cost: number, extra = ''): string =>
  `Here you go:\n\`\`\`python\ndef slow(xs):\n    _cost = ${cost}\n    ${extra}return sorted(xs)\n\`\`\``;
export const failing = (message: string): string =>
  `\`\`\`python\ndef slow(xs):\n    _fail = "${message}"\n    return xs\n\`\`\``;

export function request(overrides: Partial<OptimizeRequest> = {}): OptimizeRequest {
  return {
    language: languageOf('python'),
    files: [
      { path: 'mod.py', content: MODULE },
      {
        path: 'test_mod.py',
        content: 'from mod import slow\n\ndef test_sorted_output():\n    assert slow([3, 1]) == [1, 3]\n',
      },
    ],
    modulePath: 'mod.py',
    testPaths: ['test_mod.py'],
    target: 'slow',
    goal: 'time',
    iterations: 3,
    candidates: 2,
    limits: { timeoutMs: 10_000, memoryMb: 256 },
    ...overrides,
  };
}

export async function collect(deps: LoopDeps, req: OptimizeRequest, signal?: AbortSignal): Promise<LoopEvent[]> {
  const events: LoopEvent[] = [];
  for await (const e of optimize(deps, req, signal)) events.push(e);
  return events;
}

export const finished = (events: LoopEvent[]) => {
  const last = events[events.length - 1];
  if (last?.type !== 'finished') throw new Error('no finished event');
  return last;
};
export const measured = (events: LoopEvent[]) =>
  events.flatMap((e) => (e.type === 'candidateMeasured' ? [e.candidate] : []));
