/**
 * `afterburner optimize FILE --function NAME …`: the Afterburner loop from the command line.
 * Progress goes to stderr, the result to stdout (one JSON object with --json). FILE changes only
 * with --write, only to the best version that passed everything, and only if nobody changed it
 * on disk meanwhile. Exit 0 improved, 1 no improvement or failed, 2 bad usage or input.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { appendRunHistory, historyPath } from '../adapters/runHistory';
import { runHistoryRecord } from '../core/trainingPairs';
import { readFileSync, writeFileSync } from 'node:fs';
import { optimize } from '../core/loop';
import { DEFAULT_GROWTH_SIZES, growthChange, measureGrowth } from '../core/growthRun';
import { findInputGenerator } from '../core/inputGenerator';
import { sandboxJob } from '../core/sandboxRun';
import type { Sandbox, SandboxResult } from '../core/sandboxTypes';
import type { Goal, LoopEvent, OptimizeRequest } from '../core/loopTypes';
import { languageOf } from '../languages/registry';
import { createOpenAiModel } from '../adapters/openaiModel';
import { selectSandbox } from '../adapters/sandboxSelection';
import { parseCommonArgs, positiveNumber, usageReporter, wholeNumber } from './cliArgs';
import { DEFAULT_PATIENCE } from '../core/stopRule';
import { EXIT_FAILED, EXIT_OK } from './exitCodes';
import { OptimizeJsonBuilder, progressLine, type OptimizeJson } from './optimizeJson';
import { pythonFor, readInput } from './profileCommand';
import { describePythonChoice, interpreterPlan, namedPythonProblem, pythonSelection } from './pythonEnvironment';
import { formatKb, formatPerCall } from '../shared/format';
import { busyNote } from '../core/noise';

export const DEFAULT_ITERATIONS = 3;
export const DEFAULT_CANDIDATES = 2;
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Used only with the default (OpenAI) endpoint when no model is named. */
export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';
const GOALS: readonly Goal[] = ['time', 'memory', 'integral'];

const HELP = `Usage: afterburner optimize FILE --function NAME [--tests PATH]... [--iterations N] [--candidates K]
                            [--patience P] [--goal time|memory|integral] [--base-url URL] [--model NAME]
                            [--sizes N,N,...]
                            [--sandbox auto|docker|local] [--timeout S] [--memory MB] [--json] [--write]

Measures NAME (a function, or Class.method) on its tests, then asks a language model for faster
versions: each candidate must pass the tests and give the same results on every recorded call,
and is kept only when it is significantly better on the goal. Repeats for N iterations with K
candidates each, feeding the measurements (and failures) back to the model: a failed, empty or
unanswered round is repaired in the next one. The run stops early only after P iterations in a row
whose candidates passed but did not beat the best (--patience, default ${DEFAULT_PATIENCE}; 0 runs every iteration).

Model: any OpenAI-compatible endpoint.
  --base-url URL   or AFTERBURNER_BASE_URL (default ${DEFAULT_BASE_URL})
                   e.g. http://localhost:11434/v1 (Ollama), http://localhost:1234/v1 (LM Studio),
                   https://RES.openai.azure.com/openai/deployments/DEPLOYMENT?api-version=2024-10-21
  --model NAME     or AFTERBURNER_MODEL (default ${DEFAULT_OPENAI_MODEL} on api.openai.com)
  API key          AFTERBURNER_API_KEY or OPENAI_API_KEY (local servers may need none)
With afterburner_inputs(size) in the tests or beside them, the original and the best are measured
at growing sizes after the loop (--sizes, default ${DEFAULT_GROWTH_SIZES.join(',')}): "time ≈ n² → n".
--write replaces the function in FILE with the best version (never without --write).
Exit codes: 0 improved, 1 no improvement or the code failed, 2 bad usage or input.`;

const EXTRA_OPTIONS = {
  iterations: { type: 'string' },
  candidates: { type: 'string' },
  patience: { type: 'string' },
  sizes: { type: 'string' },
  goal: { type: 'string' },
  'base-url': { type: 'string' },
  model: { type: 'string' },
  write: { type: 'boolean' },
} as const;

interface ModelConfig {
  readonly baseUrl: string;
  readonly model: string;
  readonly apiKey?: string;
}

/** Flags first, then the environment; a message when something needed is missing. */
export function modelConfig(values: Record<string, unknown>, env: NodeJS.ProcessEnv): ModelConfig | string {
  const baseUrl = (
    typeof values['base-url'] === 'string' ? values['base-url'] : env.AFTERBURNER_BASE_URL || DEFAULT_BASE_URL
  ).trim();
  let host: string;
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    return `--base-url must be a URL such as http://localhost:11434/v1, got '${baseUrl}'.`;
  }
  const isOpenAi = host === 'api.openai.com';
  const model = (
    typeof values.model === 'string' ? values.model : env.AFTERBURNER_MODEL || (isOpenAi ? DEFAULT_OPENAI_MODEL : '')
  ).trim();
  if (!model) return `No model named for ${baseUrl}: pass --model NAME or set AFTERBURNER_MODEL.`;
  const apiKey = env.AFTERBURNER_API_KEY || env.OPENAI_API_KEY || undefined;
  const remote = isOpenAi || /\.azure\.com$/i.test(host);
  if (!apiKey && remote) return `No API key for ${baseUrl}: set AFTERBURNER_API_KEY (or OPENAI_API_KEY).`;
  return { baseUrl, model, ...(apiKey ? { apiKey } : {}) };
}

export async function runOptimize(argv: string[]): Promise<number> {
  const parsed = parseCommonArgs(argv, EXTRA_OPTIONS);
  if (parsed.kind === 'help') {
    process.stdout.write(HELP + '\n');
    return EXIT_OK;
  }
  const usage = usageReporter('optimize', argv, parsed.kind === 'usage');
  if (parsed.kind === 'usage') return usage(parsed.message);
  const args = parsed.args;
  const values = args.values;
  const iterations = positiveNumber('iterations', values.iterations as string | undefined, DEFAULT_ITERATIONS, 50);
  if (typeof iterations === 'string') return usage(iterations);
  const candidates = positiveNumber('candidates', values.candidates as string | undefined, DEFAULT_CANDIDATES, 16);
  if (typeof candidates === 'string') return usage(candidates);
  if (!Number.isInteger(iterations) || !Number.isInteger(candidates))
    return usage('--iterations and --candidates must be whole numbers.');
  const patience = wholeNumber('patience', values.patience as string | undefined, DEFAULT_PATIENCE, 50);
  if (typeof patience === 'string') return usage(patience);
  const goal = (values.goal ?? 'time') as string;
  if (!(GOALS as readonly string[]).includes(goal))
    return usage(`--goal must be time, memory or integral, got '${goal}'.`);
  const config = modelConfig(values, process.env);
  if (typeof config === 'string') return usage(config);
  const input = await readInput(args, (line) => process.stderr.write(`afterburner: ${line}\n`));
  if (input.kind === 'usage') return usage(input.message);
  const job = input.job;
  const original = job.files.find((f) => f.path === job.modulePath)?.content ?? readFileSync(args.file, 'utf8');

  const log = (line: string): void => {
    process.stderr.write(`afterburner: ${line}\n`);
  };
  const python = pythonFor(args, job, log);
  const badPython = namedPythonProblem(python);
  if (badPython) return usage(badPython);
  const selection = await selectSandbox(args.sandbox, {
    defaultLimits: job.limits,
    log,
    ...pythonSelection(python),
  });
  if (selection.kind === 'error') return usage(selection.message);
  const { sandbox } = selection;
  if (python) log(describePythonChoice(python, selection.backend));
  const interpreter = interpreterPlan(python, selection.backend);
  log(`optimizing ${args.functionName} in ${args.file} with ${job.testPaths.join(', ')} (${selection.reason})`);

  const { sizes: growthSizes, ...measureWithoutSizes } = job.measure ?? {};
  const request: OptimizeRequest = {
    language: languageOf(input.language),
    files: job.files,
    modulePath: job.modulePath,
    testPaths: job.testPaths,
    target: args.functionName,
    goal: goal as Goal,
    iterations,
    candidates,
    patience,
    limits: job.limits,
    // Hot lines go into the prompt: the model sees where the time goes. Sizes are measured once,
    // after the loop, for the original and the best (bestGrowth), not for every candidate.
    measure: { ...measureWithoutSizes, hotLines: true },
    ...(job.workspaceRoot !== undefined ? { workspaceRoot: job.workspaceRoot } : {}),
    ...(job.project !== undefined ? { project: job.project } : {}),
  };
  const model = createOpenAiModel({ ...config, timeoutMs: Math.max(60_000, job.limits.timeoutMs) });
  const builder = new OptimizeJsonBuilder({
    language: input.language,
    functionName: args.functionName,
    file: args.file,
    goal: goal as Goal,
    ...(interpreter ? { interpreter } : {}),
  });
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort(new Error('Interrupted.'));
  process.once('SIGINT', onInterrupt);
  let finished: Extract<LoopEvent, { type: 'finished' }> | undefined;
  const events: LoopEvent[] = [];
  try {
    for await (const event of optimize({ sandbox, model, log }, request, controller.signal)) {
      events.push(event);
      builder.add(event);
      const line = progressLine(event, iterations);
      if (line) log(line);
      if (event.type === 'finished') finished = event;
    }
    const best = finished?.best;
    if (finished?.outcome === 'improved' && best && best.iteration > 0) {
      const growth = await bestGrowth(sandbox, request, best.moduleText, growthSizes, log, controller.signal);
      if (growth) builder.addGrowth(growth);
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await sandbox.dispose();
  }
  // Opt-in (AFTERBURNER_HISTORY): the measured attempts become training pairs for `afterburner export`.
  const history = historyPath(job.workspaceRoot ?? path.dirname(path.resolve(args.file)), process.env);
  if (history) {
    await appendRunHistory(
      history,
      runHistoryRecord(request, events, {
        id: randomUUID(),
        at: new Date().toISOString(),
        source: 'cli',
        model: model.describe(),
      }),
    );
    log(`history: appended this run to ${history}`);
  }

  let written = false;
  let writeProblem: string | undefined;
  if (values.write === true) {
    const best = finished?.best;
    if (!best || best.iteration === 0) {
      log('--write: nothing written; no candidate beat the original.');
    } else {
      const now = readFileSync(args.file, 'utf8');
      if (now !== original) {
        writeProblem = `${args.file} changed on disk while the optimisation ran; not overwriting it. The best version is in the output.`;
        log(`--write: ${writeProblem}`);
      } else {
        writeFileSync(args.file, best.moduleText);
        written = true;
        log(
          `--write: replaced ${args.functionName} in ${args.file} with the version from iteration ${best.iteration}.`,
        );
      }
    }
  }
  const result = builder.build(written);
  process.stdout.write(
    (args.json
      ? JSON.stringify(writeProblem ? { ...result, write_refused: writeProblem } : result)
      : formatText(result)) + '\n',
  );
  if (finished?.outcome === 'cancelled') return 130;
  if (writeProblem) return EXIT_FAILED;
  return result.status === 'improved' ? EXIT_OK : EXIT_FAILED;
}

/**
 * With an input generator beside the tests, the original and the best are measured at growing
 * sizes: "time ≈ n² → n" is the strongest evidence of why the best is faster.
 */
async function bestGrowth(
  sandbox: Sandbox,
  request: OptimizeRequest,
  bestModule: string,
  askedSizes: readonly number[] | undefined,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (findInputGenerator(request).kind === 'none') return undefined;
  const sizes = askedSizes ?? DEFAULT_GROWTH_SIZES;
  log(`growth: measuring the original and the best at sizes ${sizes.join(', ')} with afterburner_inputs(size)…`);
  const original = request.files.find((f) => f.path === request.modulePath)?.content ?? '';
  const job = sandboxJob(request, request.files, { kind: 'profile' });
  const results = new Map<string, SandboxResult>();
  const versions = [
    { version: 'original', label: 'original', moduleText: original },
    { version: 'best', label: 'best', moduleText: bestModule },
  ];
  for await (const step of measureGrowth(sandbox, job, versions, sizes, signal)) {
    if (step.kind === 'measured') results.set(step.version, step.result);
    else log(`growth of the ${step.label}: ${step.message}`);
  }
  const change = growthChange(results.get('original'), results.get('best'));
  log(`growth: ${change ?? 'no class fit for both versions'}`);
  return change;
}

/**
 * True when the original's and the best's own medians point another way than the speed-up, or
 * more than 1.5× further apart than it: their separate runs met different load (the speed-up,
 * from paired samples, did not).
 */
export function timesDisagree(originalMs: number, bestMs: number, speedup: number): boolean {
  if (!(originalMs > 0 && bestMs > 0 && speedup > 0)) return false;
  const separate = originalMs / bestMs;
  return separate < 1 !== speedup < 1 || Math.max(separate / speedup, speedup / separate) > 1.5;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

function formatText(result: OptimizeJson): string {
  const lines = [`${result.status}: ${result.message}`];
  const b = result.baseline;
  // With no call recorded, every figure (the candidates' too) is per run of the tests, timed in place.
  const inPlace = b?.runtime_basis === 'in_place' ? ('inPlace' as const) : undefined;
  const baselineCalls = inPlace ? b?.in_place?.calls : b?.calls;
  if (b?.runtime_ms)
    lines.push(
      `  original  ${formatPerCall(b.runtime_ms.median, baselineCalls, inPlace)} median, ${b.peak_memory_kb === null ? 'memory not measured' : `${formatKb(b.peak_memory_kb)} peak`}`,
    );
  if (b?.noise?.busy) lines.push(`  ${busyNote(b.noise.reasons)}`);
  const best = result.best;
  if (best && best.iteration > 0) {
    lines.push(
      `  best      iteration ${best.iteration}: ${formatPerCall(best.runtime_ms.median, best.calls, inPlace)} median, ${best.summary} (${best.peak_memory_kb === null ? 'memory not measured' : `${formatKb(best.peak_memory_kb)} peak`})`,
    );
    if (b?.runtime_ms && timesDisagree(b.runtime_ms.median, best.runtime_ms.median, best.speedup))
      lines.push(
        '  note      the two times per call come from separate runs and moved with the machine’s load; the speed-up comes from the candidate and the best so far measured side by side',
      );
    const why = best.explanation;
    if (why?.model) lines.push('', 'Why, in the model’s words:', indent(why.model));
    if (why && why.measured.length > 0)
      lines.push('', 'What the measurements show:', ...why.measured.map((m) => `  - ${m}`));
    lines.push('', best.code);
    if (!result.written)
      lines.push('', `${result.file ?? 'The file'} was not changed; pass --write to apply the best version.`);
  }
  return lines.join('\n');
}
