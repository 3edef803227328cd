// `afterburner eval PROBLEMS.jsonl [--answers ANSWERS.jsonl | --optimize …] [--workers N] [--json]`:
// score answers against the problems' human reference solutions, measured here, in this run.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../core/bootstrap';
import { optimizingAnswers } from '../core/evalOptimize';
import { buildEvalReport } from '../core/evalReport';
import type { EvalAnswer, EvalProblem, ProblemResult } from '../core/evalTypes';
import { errorMessage } from '../core/errorMessage';
import { runEvaluation, type AnswerProvider, type EvalEvent } from '../core/evalRunner';
import type { Goal } from '../core/loopTypes';
import type { LanguageModel } from '../core/modelTypes';
import type { Limits, MeasureOptions, Sandbox } from '../core/sandboxTypes';
import { connectDocker } from '../adapters/dockerEngine';
import { createDockerSandbox } from '../adapters/dockerSandbox';
import { readAnswersFile, readProblemsFile } from '../adapters/evalProblems';
import { writeEvalReport } from '../adapters/evalReportHtml';
import { createResultsStore, defaultResultsPath } from '../adapters/evalResultsStore';
import { createLocalSandbox } from '../adapters/localSandbox';
import { createOpenAiModel } from '../adapters/openaiModel';
import { languageOf } from '../languages/registry';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exitCodes';
import { DEFAULT_BASE_URL, DEFAULT_OPENAI_MODEL } from './optimizeCommand';

export const EVAL_USAGE = `afterburner eval PROBLEMS.jsonl [--answers ANSWERS.jsonl | --optimize] [options]

Scores answers against each problem's human reference solutions, all measured here, in this run,
in the same sandbox, on the same inputs. Metrics (fractions in [0, 1]): pass@1, Time%, Memory%,
Integral% (share of passing references beaten or tied; a failure scores 0), Beyond, speed-up.

  --answers FILE        {id, code} per line: the code to score for each problem
  --optimize            run the optimisation loop per problem (start: --answers code, or one the
                        model writes); needs a model: --base-url, --model, AFTERBURNER_API_KEY
                        (as for 'afterburner optimize'); adds per-iteration curves
  --iterations N        loop iterations with --optimize (default 3)
  --candidates K        candidates per iteration with --optimize (default 1)
  --goal G              time | memory | integral (default time)
  --workers N           problems evaluated in parallel (default 1)
  --sandbox S           auto | docker | local (default auto)
  --docker-host URL     a Docker engine (unix://, tcp://, ssh://); repeat for several engines
  --hosts-file FILE     Docker engine URLs, one per line
  --timeout SECONDS     limit of one sandbox run (default 60)
  --memory MB           memory limit of one sandbox run (default 512)
  --results FILE        append results here as problems finish; a rerun skips problems already
                        done (default: next to PROBLEMS, named after the answers file, and
                        with --optimize after the model)
  --fresh               ignore earlier results in the results file
  --no-check            skip the differential check against the first passing reference
  --report FILE.html    write a self-contained HTML report (and FILE.json with the same data)
  --seed N              seed of the bootstrap intervals (default 1)
  --budget-ms MS        timing budget per sandbox run (default: the harness's, 1500)
  --json                print one JSON object on stdout`;

interface Flags {
  problems: string;
  answers?: string;
  optimize: boolean;
  iterations: number;
  candidates: number;
  goal: Goal;
  workers: number;
  sandbox: 'auto' | 'docker' | 'local';
  dockerHosts: string[];
  hostsFile?: string;
  limits: Limits;
  results?: string;
  fresh: boolean;
  check: boolean;
  report?: string;
  seed: number;
  measure?: MeasureOptions;
  json: boolean;
  baseUrl?: string;
  model?: string;
}

type FlagsOutcome = { kind: 'ok'; flags: Flags } | { kind: 'help' } | { kind: 'usage'; message: string };

export function parseEvalFlags(argv: string[]): FlagsOutcome {
  let values: ReturnType<typeof parse>['values'];
  let positionals: string[];
  function parse(args: string[]) {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        answers: { type: 'string' },
        optimize: { type: 'boolean', default: false },
        iterations: { type: 'string' },
        candidates: { type: 'string' },
        goal: { type: 'string' },
        workers: { type: 'string' },
        sandbox: { type: 'string' },
        'docker-host': { type: 'string', multiple: true },
        'hosts-file': { type: 'string' },
        timeout: { type: 'string' },
        memory: { type: 'string' },
        results: { type: 'string' },
        fresh: { type: 'boolean', default: false },
        'no-check': { type: 'boolean', default: false },
        report: { type: 'string' },
        seed: { type: 'string' },
        'budget-ms': { type: 'string' },
        json: { type: 'boolean', default: false },
        'base-url': { type: 'string' },
        model: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  }
  try {
    ({ values, positionals } = parse(argv));
  } catch (err) {
    return { kind: 'usage', message: (err as Error).message };
  }
  if (values.help) return { kind: 'help' };
  const [problems, ...extra] = positionals;
  if (!problems) return { kind: 'usage', message: 'missing PROBLEMS.jsonl' };
  if (extra.length > 0) return { kind: 'usage', message: `unexpected argument '${extra[0]}'` };
  if (!values.answers && !values.optimize)
    return { kind: 'usage', message: 'give --answers ANSWERS.jsonl or --optimize' };
  const int = (name: string, raw: string | undefined, fallback: number, min: number): number | string => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    return Number.isInteger(n) && n >= min ? n : `--${name} must be an integer ≥ ${min}`;
  };
  const workers = int('workers', values.workers, 1, 1);
  const iterations = int('iterations', values.iterations, 3, 1);
  const candidates = int('candidates', values.candidates, 1, 1);
  const timeout = int('timeout', values.timeout, 60, 1);
  const memory = int('memory', values.memory, 512, 32);
  const seed = int('seed', values.seed, 1, 0);
  const budget = int('budget-ms', values['budget-ms'], 0, 50);
  for (const v of [workers, iterations, candidates, timeout, memory, seed, budget])
    if (typeof v === 'string') return { kind: 'usage', message: v };
  const goal = values.goal ?? 'time';
  if (goal !== 'time' && goal !== 'memory' && goal !== 'integral')
    return { kind: 'usage', message: '--goal must be time, memory or integral' };
  const sandbox = values.sandbox ?? 'auto';
  if (sandbox !== 'auto' && sandbox !== 'docker' && sandbox !== 'local')
    return { kind: 'usage', message: '--sandbox must be auto, docker or local' };
  return {
    kind: 'ok',
    flags: {
      problems,
      ...(values.answers ? { answers: values.answers } : {}),
      optimize: values.optimize === true,
      iterations: iterations as number,
      candidates: candidates as number,
      goal,
      workers: workers as number,
      sandbox,
      dockerHosts: values['docker-host'] ?? [],
      ...(values['hosts-file'] ? { hostsFile: values['hosts-file'] } : {}),
      limits: { timeoutMs: (timeout as number) * 1000, memoryMb: memory as number },
      ...(values.results ? { results: values.results } : {}),
      fresh: values.fresh === true,
      check: values['no-check'] !== true,
      ...(values.report ? { report: values.report } : {}),
      seed: seed as number,
      ...(values['budget-ms'] !== undefined ? { measure: { budgetMs: budget as number } } : {}),
      json: values.json === true,
      ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
      ...(values.model ? { model: values.model } : {}),
    },
  };
}

/** Engine URLs from --docker-host and --hosts-file (blank lines and # comments skipped). */
export async function dockerHostsOf(flags: Pick<Flags, 'dockerHosts' | 'hostsFile'>): Promise<string[]> {
  const hosts = [...flags.dockerHosts];
  if (flags.hostsFile) {
    const text = await readFile(flags.hostsFile, 'utf8');
    for (const line of text.split('\n')) {
      const host = line.replace(/#.*/, '').trim();
      if (host) hosts.push(host);
    }
  }
  return hosts;
}

type SandboxChoice = { kind: 'ok'; sandboxes: Sandbox[]; label: string } | { kind: 'error'; message: string };

/** One sandbox per worker; with several engines, workers are spread over them round-robin. */
async function createSandboxes(flags: Flags, log: (line: string) => void): Promise<SandboxChoice> {
  const hosts = await dockerHostsOf(flags);
  let useDocker = flags.sandbox === 'docker' || hosts.length > 0;
  if (flags.sandbox === 'local') useDocker = false;
  else if (!useDocker) useDocker = (await connectDocker({ timeoutMs: 1500 })).kind === 'connected';
  if (!useDocker) {
    const sandboxes = Array.from({ length: flags.workers }, () => createLocalSandbox({ defaultLimits: flags.limits }));
    return { kind: 'ok', sandboxes, label: `local (${sandboxes[0]?.describe().isolation ?? ''})` };
  }
  const engines = hosts.length > 0 ? hosts : [undefined];
  for (const host of engines) {
    const connection = await connectDocker(
      host !== undefined ? { dockerHost: host, timeoutMs: 3000 } : { timeoutMs: 3000 },
    );
    if (connection.kind !== 'connected')
      return { kind: 'error', message: `No Docker engine answers at ${connection.host}: ${connection.message}` };
  }
  const sandboxes = Array.from({ length: flags.workers }, (_, i) => {
    const host = engines[i % engines.length];
    return createDockerSandbox({
      ...(host !== undefined ? { dockerHost: host } : {}),
      memoryMb: flags.limits.memoryMb,
      log,
    });
  });
  return {
    kind: 'ok',
    sandboxes,
    label: `docker (${engines.map((h) => h ?? process.env.DOCKER_HOST ?? 'default engine').join(', ')})`,
  };
}

/** A progress bar on stderr (a line per problem when stderr is not a terminal). */
function progressReporter(total: number): (event: EvalEvent) => void {
  const tty = process.stderr.isTTY === true;
  let done = 0;
  const running = new Set<string>();
  const draw = (): void => {
    const width = 24;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    process.stderr.write(
      `\r${bar} ${done}/${total} problems${running.size ? `  running: ${[...running].join(', ').slice(0, 40)}` : ''}\x1b[K`,
    );
  };
  return (event) => {
    if (event.type === 'problemStarted') {
      running.add(event.id);
      if (tty) draw();
    } else if (event.type === 'problemDone') {
      running.delete(event.result.id);
      done = event.done;
      if (tty) draw();
      else {
        const o = event.result.answer.outcome;
        process.stderr.write(
          `[${done}/${total}] ${event.result.id}: ${o.kind === 'passed' ? 'passed' : `${o.status} (${o.message.slice(0, 120)})`}\n`,
        );
      }
      if (tty && done === total) process.stderr.write('\n');
    }
  };
}

/**
 * The model for --optimize: any OpenAI-compatible endpoint, configured like `afterburner optimize`
 * (--base-url / AFTERBURNER_BASE_URL, --model / AFTERBURNER_MODEL, key from AFTERBURNER_API_KEY or
 * OPENAI_API_KEY). The key goes to the endpoint only, never into a sandbox.
 */
function modelFor(
  flags: Flags,
): { kind: 'ok'; model: LanguageModel; name: string } | { kind: 'error'; message: string } {
  const baseUrl = flags.baseUrl ?? process.env.AFTERBURNER_BASE_URL ?? DEFAULT_BASE_URL;
  const onOpenAi = /^https:\/\/api\.openai\.com\b/.test(baseUrl);
  const name = flags.model ?? process.env.AFTERBURNER_MODEL ?? (onOpenAi ? DEFAULT_OPENAI_MODEL : undefined);
  if (!name) return { kind: 'error', message: `--optimize requires a model: give --model NAME for ${baseUrl}` };
  const apiKey = process.env.AFTERBURNER_API_KEY ?? process.env.OPENAI_API_KEY;
  if (onOpenAi && !apiKey)
    return {
      kind: 'error',
      message:
        '--optimize requires a model: set AFTERBURNER_API_KEY or OPENAI_API_KEY, or give --base-url of a local server',
    };
  return {
    kind: 'ok',
    name,
    model: createOpenAiModel({
      baseUrl,
      model: name,
      ...(apiKey ? { apiKey } : {}),
      timeoutMs: Math.max(60_000, flags.limits.timeoutMs),
    }),
  };
}

export async function runEval(argv: string[]): Promise<number> {
  const parsed = parseEvalFlags(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(EVAL_USAGE + '\n');
    return EXIT_OK;
  }
  if (parsed.kind === 'usage') {
    process.stderr.write(`afterburner eval: ${parsed.message}\n\n${EVAL_USAGE}\n`);
    return EXIT_USAGE;
  }
  const flags = parsed.flags;
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const inputs = await readInputs(flags, log);
  if (inputs.kind === 'error') {
    process.stderr.write(`afterburner eval: ${inputs.message}\n`);
    return EXIT_USAGE;
  }
  const { problems, answers } = inputs;
  const answering = answerProvider(flags, answers);
  if (answering.kind === 'error') {
    process.stderr.write(`afterburner eval: ${answering.message}\n`);
    return EXIT_USAGE;
  }
  const { provider, modelName } = answering;

  const resultsPath = flags.results ?? defaultResultsPath(flags.problems, flags.answers, modelName);
  const store = createResultsStore(resultsPath);
  const reusable = resumable(flags, problems, answers, flags.fresh ? new Map() : await store.load());
  const todo = problems.filter((p) => !reusable.has(p.id));
  if (reusable.size > 0) log(`afterburner eval: resuming: ${reusable.size} problem(s) already done in ${resultsPath}`);

  const choice = await createSandboxes(flags, log);
  if (choice.kind === 'error') {
    process.stderr.write(`afterburner eval: ${choice.message}\n`);
    return EXIT_FAILED;
  }
  log(`afterburner eval: ${todo.length} problem(s) to run on ${flags.workers} worker(s), sandbox ${choice.label}`);
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = progressReporter(todo.length);
  let fresh: ProblemResult[] = [];
  try {
    fresh = await runEvaluation(todo, choice.sandboxes, provider, {
      workers: flags.workers,
      languages: languageOf,
      limits: flags.limits,
      differentialCheck: flags.check,
      ...(flags.measure ? { measure: flags.measure } : {}),
      signal: controller.signal,
      onEvent: (event) => {
        progress(event);
        if (event.type === 'problemDone')
          void store
            .append(event.result)
            .catch((err: unknown) => log(`afterburner eval: cannot write ${resultsPath}: ${String(err)}`));
      },
    });
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.flush();
    await Promise.all(choice.sandboxes.map((s) => s.dispose().catch(() => undefined)));
  }
  if (controller.signal.aborted) {
    log(`afterburner eval: interrupted; ${fresh.length} new result(s) saved in ${resultsPath}; run again to resume`);
    return EXIT_FAILED;
  }

  const report = buildEvalReport(
    [...reusable.values(), ...fresh],
    seededRandom(flags.seed),
    {
      problems_file: path.basename(flags.problems),
      answers: flags.optimize
        ? `optimize with ${modelName ?? 'the model'} (${flags.iterations} iterations, goal ${flags.goal}${flags.answers ? `, starts ${path.basename(flags.answers)}` : ', model-written starts'})`
        : path.basename(flags.answers ?? ''),
      sandbox: choice.label,
      generated_at: new Date().toISOString(),
      workers: flags.workers,
    },
    problems.map((p) => p.id),
  );
  if (flags.report) {
    const written = await writeEvalReport(flags.report, report);
    log(`afterburner eval: report written to ${written.html} and ${written.json}`);
  }
  process.stdout.write((flags.json ? JSON.stringify(report) : summaryText(report, resultsPath)) + '\n');
  return EXIT_OK;
}

type Inputs =
  | {
      readonly kind: 'ok';
      readonly problems: readonly EvalProblem[];
      readonly answers: ReadonlyMap<string, EvalAnswer>;
    }
  | { readonly kind: 'error'; readonly message: string };

/** The problems (at least one usable) and the answers file, if any; unusable lines are logged. */
async function readInputs(flags: Flags, log: (line: string) => void): Promise<Inputs> {
  let loaded;
  try {
    loaded = await readProblemsFile(flags.problems);
  } catch (err) {
    return { kind: 'error', message: `cannot read ${flags.problems}: ${errorMessage(err)}` };
  }
  for (const e of loaded.errors) log(`afterburner eval: ${flags.problems} ${e}`);
  if (loaded.problems.length === 0) return { kind: 'error', message: `no usable problems in ${flags.problems}` };
  if (!flags.answers) return { kind: 'ok', problems: loaded.problems, answers: new Map() };
  try {
    const a = await readAnswersFile(flags.answers);
    for (const e of a.errors) log(`afterburner eval: ${flags.answers} ${e}`);
    return { kind: 'ok', problems: loaded.problems, answers: a.answers };
  } catch (err) {
    return { kind: 'error', message: `cannot read ${flags.answers}: ${errorMessage(err)}` };
  }
}

type Answering =
  | { readonly kind: 'ok'; readonly provider: AnswerProvider; readonly modelName?: string }
  | { readonly kind: 'error'; readonly message: string };

/** With --optimize, the loop answers (from --answers starts when given); else the answers file. */
function answerProvider(flags: Flags, answers: ReadonlyMap<string, EvalAnswer>): Answering {
  if (!flags.optimize) {
    return {
      kind: 'ok',
      provider: async (problem) => {
        const answer = answers.get(problem.id);
        return answer
          ? { kind: 'code', code: answer.code }
          : { kind: 'none', reason: `no answer for ${problem.id} in ${flags.answers}` };
      },
    };
  }
  const model = modelFor(flags);
  if (model.kind === 'error') return model;
  return {
    kind: 'ok',
    modelName: model.name,
    provider: optimizingAnswers({
      model: model.model,
      languages: languageOf,
      goal: flags.goal,
      iterations: flags.iterations,
      candidates: flags.candidates,
      limits: flags.limits,
      ...(flags.measure ? { measure: flags.measure } : {}),
      starts: answers,
    }),
  };
}

/**
 * Earlier results worth keeping: of the same kind of run, and when scoring answers, of the same
 * code (an edited answer is scored again).
 */
function resumable(
  flags: Flags,
  problems: readonly EvalProblem[],
  answers: ReadonlyMap<string, EvalAnswer>,
  previous: ReadonlyMap<string, ProblemResult>,
): Map<string, ProblemResult> {
  const sameRun = (id: string, r: ProblemResult): boolean =>
    flags.optimize
      ? r.optimization !== undefined
      : r.optimization === undefined && answers.get(id)?.code === r.answer.code;
  return new Map([...previous].filter(([id, r]) => problems.some((p) => p.id === id) && sameRun(id, r)));
}

function summaryText(report: ReturnType<typeof buildEvalReport>, resultsPath: string): string {
  const p = (x: number): string => `${(x * 100).toFixed(1)} %`;
  const ci = (c: { low: number; high: number }): string =>
    Number.isFinite(c.low) ? ` [${p(c.low)} – ${p(c.high)}]` : '';
  return [
    `problems      ${report.problems}${report.problems_without_references ? ` (${report.problems_without_references} without a passing reference)` : ''}`,
    `pass@1        ${p(report.pass_at_1)}${ci(report.ci.pass_at_1)}`,
    `Time %        ${p(report.time_pct)}${ci(report.ci.time_pct)}`,
    `Memory %      ${p(report.memory_pct)}${ci(report.ci.memory_pct)}`,
    `Integral %    ${p(report.integral_pct)}${ci(report.ci.integral_pct)}`,
    `Beyond        ${p(report.beyond)}${ci(report.ci.beyond)}`,
    `speed-up      ${report.speedup === null ? '–' : `${Number(report.speedup.toPrecision(3))}× vs the median reference (geometric mean)`}`,
    `results       ${resultsPath}`,
  ].join('\n');
}
