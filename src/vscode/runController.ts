/**
 * "Optimize efficiency" and "Profile function": find the function and its tests, start the run in
 * the sandbox with a cancellable progress notification, feed every event to the run tracker (the
 * panel fills live), and end with a message that says what happened and what to do next.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { appendRunHistory, historyPath } from '../adapters/runHistory';
import { runHistoryRecord } from '../core/trainingPairs';
import * as vscode from 'vscode';
import { optimize } from '../core/loop';
import { findInputGenerator } from '../core/inputGenerator';
import { harnessOf, languageOf } from '../languages/registry';
import type { BestSoFar, LoopEvent, OptimizeRequest } from '../core/loopTypes';
import type { Limits, ProjectMount, Sandbox, SandboxJob, SandboxResult } from '../core/sandboxTypes';
import type { RunRecord } from '../panel/panelState';
import { formatMs, formatRatio } from '../shared/format';
import { openSettings, readSettings, updateSetting, type Settings } from './configuration';
import { resolveTarget, type FunctionTarget } from './functionTarget';
import { collectJobFiles, type JobFiles } from './jobFiles';
import { setUpModel, watchModelErrors, type ModelErrorRecord } from './modelSetup';
import { PANEL_VIEW_ID } from './panelViewProvider';
import type { SandboxProvider } from './sandboxProvider';
import { chooseTests, relativePath } from './testDiscovery';
import type { RunTracker } from './runTracker';
import type { InlineDiffController } from './inlineDiffController';
import { bestOffered } from './inlineDiffController';
import { errorDetail, errorMessage } from '../core/errorMessage';

type RunKind = 'optimize' | 'profile';

interface Prepared {
  readonly target: FunctionTarget;
  readonly job: JobFiles;
  readonly testUris: readonly vscode.Uri[];
  readonly settings: Settings;
  readonly limits: Limits;
  readonly sandbox: Sandbox;
}

export interface RunControllerDeps {
  readonly context: vscode.ExtensionContext;
  readonly tracker: RunTracker;
  readonly sandboxes: SandboxProvider;
  readonly diffs: InlineDiffController;
  readonly log: vscode.LogOutputChannel;
}

/** How long deactivation waits for runs to notice the cancel before the sandboxes are disposed. */
const SHUTDOWN_GRACE_MS = 3000;

export class RunController implements vscode.Disposable {
  static register(deps: RunControllerDeps): { controller: RunController; disposable: vscode.Disposable } {
    const controller = new RunController(deps);
    const disposable = vscode.Disposable.from(
      vscode.commands.registerCommand('afterburner.optimize', (uri?: unknown) => controller.start('optimize', uri)),
      vscode.commands.registerCommand('afterburner.profile', (uri?: unknown) => controller.start('profile', uri)),
      vscode.commands.registerCommand('afterburner.chooseTests', () => controller.chooseTestsAgain()),
      vscode.commands.registerCommand('afterburner.cancel', (runId?: unknown) =>
        controller.cancel(typeof runId === 'string' ? runId : undefined),
      ),
      controller,
    );
    return { controller, disposable };
  }

  private readonly live = new Map<string, { controller: AbortController; done: Promise<void> }>();

  private constructor(private readonly deps: RunControllerDeps) {}

  /** Cancels one run, or every live run. */
  cancel(runId?: string): void {
    for (const [id, run] of this.live) if (runId === undefined || id === runId) run.controller.abort();
  }

  /** Cancels live runs, waits briefly for them to stop, then disposes every sandbox. */
  async shutdown(): Promise<void> {
    this.cancel();
    const pending = [...this.live.values()].map((r) => r.done);
    await Promise.race([Promise.allSettled(pending), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS))]);
    await this.deps.sandboxes.dispose();
  }

  dispose(): void {
    this.cancel();
  }

  async openTests(runId: string): Promise<void> {
    const uri = this.deps.tracker.get(runId)?.source.testUris[0];
    if (uri) await vscode.window.showTextDocument(vscode.Uri.parse(uri), { preview: false });
  }

  private async start(kind: RunKind, arg: unknown): Promise<void> {
    try {
      const prepared = await this.prepare(kind, arg instanceof vscode.Uri ? arg : undefined);
      if (!prepared) return;
      if (kind === 'profile') await this.runProfile(prepared);
      else await this.runOptimize(prepared);
    } catch (error) {
      this.deps.log.error(`${kind} failed: ${errorDetail(error)}`);
      void this.errorWithLog(
        `Afterburner: ${kind === 'profile' ? 'profiling' : 'optimizing'} stopped unexpectedly: ${errorMessage(error)}`,
      );
    }
  }

  private async chooseTestsAgain(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const resolution = await resolveTarget(editor.document, editor.selection);
    if (resolution.kind !== 'ok')
      return void vscode.window.showWarningMessage('Afterburner: put the cursor in a function first.');
    const choice = await chooseTests(resolution.target, this.deps.context.workspaceState, this.deps.log, {
      forcePick: true,
    });
    if (choice.kind === 'ok')
      void vscode.window.showInformationMessage(
        `Afterburner: tests for ${resolution.target.name}: ${choice.uris.map((u) => vscode.workspace.asRelativePath(u)).join(', ')}.`,
      );
  }

  private async prepare(kind: RunKind, uri: vscode.Uri | undefined): Promise<Prepared | undefined> {
    const { log } = this.deps;
    let editor = vscode.window.activeTextEditor;
    if (uri && editor?.document.uri.toString() !== uri.toString() && uri.scheme === 'file')
      editor = await vscode.window.showTextDocument(uri);
    if (!editor) {
      void vscode.window.showErrorMessage(
        'Afterburner: open a Python, JavaScript or TypeScript file and put the cursor in a function, then run this again.',
      );
      return undefined;
    }
    const resolution = await resolveTarget(editor.document, editor.selection);
    if (resolution.kind === 'unsupported') {
      void vscode.window.showErrorMessage(
        `Afterburner works on Python, JavaScript and TypeScript functions; this file's language is "${resolution.languageId}".`,
      );
      return undefined;
    }
    if (resolution.kind === 'none') {
      void vscode.window.showErrorMessage(
        `Afterburner: no function at line ${resolution.line + 1}. Put the cursor inside a function or method (or select it) and run "${kind === 'profile' ? 'Profile function' : 'Optimize efficiency'}" again.`,
      );
      return undefined;
    }
    const target = resolution.target;
    const settings = readSettings(target.document.uri);
    const limits: Limits = { timeoutMs: settings.timeoutSeconds * 1000, memoryMb: settings.memoryMb };
    log.info(
      `${kind} ${target.name} in ${vscode.workspace.asRelativePath(target.document.uri)} (lines ${target.location.startLine + 1}–${target.location.endLine + 1})`,
    );

    const tests = await chooseTests(target, this.deps.context.workspaceState, log);
    if (tests.kind === 'cancelled') {
      log.info('No tests chosen; the run did not start.');
      return undefined;
    }
    const job = await collectJobFiles(target.document, target.language, tests.uris);
    if (job.testPaths.length === 0) {
      void vscode.window.showErrorMessage('Afterburner: the chosen test files could not be read.');
      return undefined;
    }
    log.info(`Tests (${tests.how}): ${job.testPaths.join(', ')}; ${job.files.length} file(s) go to the sandbox.`);

    const selection = await this.deps.sandboxes.get(settings.backend, limits);
    if (selection.kind === 'error') {
      log.warn(selection.message);
      void this.offerLocalSandbox(selection.message, kind);
      return undefined;
    }
    return { target, job, testUris: tests.uris, settings, limits, sandbox: selection.sandbox };
  }

  private async runOptimize(p: Prepared): Promise<void> {
    const { tracker, log, context } = this.deps;
    const setup = await setUpModel(p.settings, context.secrets);
    if (setup.kind === 'problem') {
      log.warn(setup.message);
      void this.modelProblem(
        setup.message,
        setup.problem === 'no_key'
          ? ['Set API key', 'Open settings']
          : ['Select model', 'Set API key', 'Open settings'],
      );
      return;
    }
    const watched = watchModelErrors(setup.model);
    const request: OptimizeRequest = {
      language: languageOf(p.target.language),
      files: p.job.files,
      modulePath: p.job.modulePath,
      testPaths: p.job.testPaths,
      target: p.target.name,
      goal: p.settings.goal,
      iterations: p.settings.iterations,
      candidates: p.settings.candidates,
      limits: p.limits,
      // Hot lines go into the prompt: the model sees where the time goes.
      measure: { hotLines: true },
      ...workspaceRootFor(p),
    };
    const record = this.begin('optimize', p, p.settings.iterations);
    const runId = record.view.id;
    log.info(
      `Run ${runId}: model ${watched.model.describe()}, goal ${request.goal}, ${request.iterations} iteration(s) × ${request.candidates} candidate(s).`,
    );
    const events: LoopEvent[] = [];
    await this.track(runId, `Afterburner: optimizing ${p.target.name}`, (signal) =>
      recorded(
        optimize({ sandbox: p.sandbox, model: watched.model, log: (line) => log.debug(line) }, request, signal),
        events,
      ),
    );
    await this.appendHistory(p, request, events, watched.model.describe());
    const done = tracker.get(runId);
    if (done) void this.announceOptimize(done, watched.lastError());
    const finished = events.find((e): e is Extract<LoopEvent, { type: 'finished' }> => e.type === 'finished');
    if (finished?.outcome === 'improved' && finished.best && finished.best.iteration > 0)
      await this.measureGrowth(p, runId, finished.best);
  }

  /**
   * The input sizes to measure this function at, or undefined (with a log line) when growth is off
   * or no `afterburner_inputs(size)` is in the tests or beside them.
   */
  private growthSizes(p: Prepared): readonly number[] | undefined {
    const { log } = this.deps;
    const sizes = p.settings.profileSizes;
    if (sizes.length === 0) {
      log.info('afterburner.profile.sizes is empty: growth with input size is not measured.');
      return undefined;
    }
    const generator = findInputGenerator({
      language: languageOf(p.target.language),
      files: p.job.files,
      modulePath: p.job.modulePath,
      testPaths: p.job.testPaths,
    });
    if (generator.kind === 'none') {
      log.info(
        `No afterburner_inputs(size) in the tests of ${p.target.name} or beside them: growth with input size is not measured ("Afterburner: Propose input generator" can write one).`,
      );
      return undefined;
    }
    log.info(`Input generator afterburner_inputs in ${generator.path}: measuring at sizes ${sizes.join(', ')}.`);
    return sizes;
  }

  /**
   * After an improved optimisation: the original and the best module, each in one more sandbox
   * run with the input generator's sizes, so the panel draws both on the same size axis. Outside
   * the loop on purpose (it is for people, not for the acceptance rule); cancellable like a run.
   */
  private async measureGrowth(p: Prepared, runId: string, best: BestSoFar): Promise<void> {
    const sizes = this.growthSizes(p);
    if (!sizes) return;
    const { tracker, log } = this.deps;
    const originalText = p.job.files.find((f) => f.path === p.job.modulePath)?.content;
    const versions = [
      { version: 'original' as const, label: 'Original', moduleText: originalText },
      { version: 'best' as const, label: `Iteration ${best.iteration}`, moduleText: best.moduleText },
    ];
    tracker.applyGrowth(runId, { type: 'growthStarted', sizes, versions });
    const controller = new AbortController();
    let finish: () => void = () => undefined;
    this.live.set(runId, { controller, done: new Promise<void>((resolve) => (finish = resolve)) });
    try {
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Afterburner: measuring how ${p.target.name} grows with input size`,
          cancellable: true,
        },
        async (progress, token) => {
          const onCancel = token.onCancellationRequested(() => controller.abort());
          try {
            for (const v of versions) {
              if (controller.signal.aborted) break;
              if (v.moduleText === undefined) {
                tracker.applyGrowth(runId, {
                  type: 'growthFailed',
                  version: v.version,
                  message: 'The module text of this version is not available.',
                });
                continue;
              }
              progress.report({ message: `${v.label}, sizes ${sizes.join(', ')}…` });
              const files = p.job.files.map((f) =>
                f.path === p.job.modulePath ? { path: f.path, content: v.moduleText as string } : f,
              );
              const job: SandboxJob = { ...this.profileJob(p, files), measure: { sizes } };
              let result: SandboxResult;
              try {
                result = await p.sandbox.run(job, controller.signal);
              } catch (error) {
                if (controller.signal.aborted) break;
                throw error;
              }
              log.info(
                `[${runId}] growth of ${v.label.toLowerCase()}: ${result.kind}${result.kind === 'passed' ? `, ${result.measurement?.sizes?.length ?? 0} size(s)` : ''}`,
              );
              tracker.applyGrowth(runId, { type: 'growthMeasured', version: v.version, result });
            }
          } finally {
            onCancel.dispose();
          }
        },
      );
    } catch (error) {
      const message = errorMessage(error);
      log.error(`[${runId}] growth measurement stopped: ${message}`);
      for (const v of versions)
        tracker.applyGrowth(runId, {
          type: 'growthFailed',
          version: v.version,
          message: `Measurement stopped: ${message}`,
        });
    } finally {
      tracker.applyGrowth(runId, { type: 'growthEnded', outcome: controller.signal.aborted ? 'cancelled' : 'done' });
      this.live.delete(runId);
      finish();
    }
    const growth = tracker.get(runId)?.view.growth;
    if (growth) log.info(`[${runId}] growth: ${growth.summary}`);
  }

  private profileJob(p: Prepared, files: SandboxJob['files']): SandboxJob {
    return {
      language: p.target.language,
      files,
      modulePath: p.job.modulePath,
      testPaths: p.job.testPaths,
      target: p.target.name,
      mode: { kind: 'profile' },
      limits: p.limits,
      ...workspaceRootFor(p),
    };
  }

  /** Opt-in (setting or AFTERBURNER_HISTORY): measured attempts become training pairs for `afterburner export`. */
  private async appendHistory(
    p: Prepared,
    request: OptimizeRequest,
    events: readonly LoopEvent[],
    model: string,
  ): Promise<void> {
    const folder = vscode.workspace.getWorkspaceFolder(p.target.document.uri);
    if (!folder || folder.uri.scheme !== 'file') return;
    const file = historyPath(folder.uri.fsPath, process.env, p.settings.history);
    if (!file) return;
    try {
      await appendRunHistory(
        file,
        runHistoryRecord(request, events, {
          id: randomUUID(),
          at: new Date().toISOString(),
          source: 'extension',
          model,
        }),
      );
      this.deps.log.info(`Run appended to ${file}.`);
    } catch (error) {
      this.deps.log.warn(`Could not append the run to ${file}: ${errorMessage(error)}`);
    }
  }

  private async runProfile(p: Prepared): Promise<void> {
    const record = this.begin('profile', p, undefined);
    const runId = record.view.id;
    const { tracker, log } = this.deps;
    const job = this.profileJob(p, p.job.files);
    // With an input generator, the sizes are measured in the same sandbox run as the profile.
    const sizes = this.growthSizes(p);
    const sandbox = p.sandbox;
    await this.track(
      runId,
      `Afterburner: profiling ${p.target.name}`,
      async function* (signal): AsyncGenerator<LoopEvent> {
        const described = sandbox.describe();
        yield { type: 'started', sandbox: described.sandbox, isolation: described.isolation, model: '', goal: 'time' };
        if (!sizes) {
          yield { type: 'baseline', result: await sandbox.run(job, signal) };
          return;
        }
        tracker.applyGrowth(runId, {
          type: 'growthStarted',
          sizes,
          versions: [{ version: 'original', label: 'Original' }],
        });
        const withSizes = await sandbox.run({ ...job, measure: { sizes } }, signal);
        if (withSizes.kind === 'passed' || withSizes.kind === 'failed') {
          yield { type: 'baseline', result: withSizes };
          tracker.applyGrowth(
            runId,
            withSizes.kind === 'passed'
              ? { type: 'growthMeasured', version: 'original', result: withSizes }
              : { type: 'growthDropped' },
          );
          return;
        }
        // A size past the time or memory limit (or a generator that threw, for the Node harness)
        // stops the whole run: profile again without sizes, and say in the growth section why.
        log.info(`[${runId}] the run with sizes ended ${withSizes.kind}; profiling again without sizes.`);
        const plain = await sandbox.run(job, signal);
        yield { type: 'baseline', result: plain };
        tracker.applyGrowth(
          runId,
          plain.kind === 'passed'
            ? { type: 'growthMeasured', version: 'original', result: withSizes }
            : { type: 'growthDropped' },
        );
      },
    );
    if (sizes)
      tracker.applyGrowth(runId, {
        type: 'growthEnded',
        outcome: tracker.get(runId)?.view.phase === 'cancelled' ? 'cancelled' : 'done',
      });
    const done = tracker.get(runId);
    if (done) void this.announceProfile(done);
  }

  private begin(kind: RunKind, p: Prepared, iterations: number | undefined): RunRecord {
    const { target } = p;
    const record = this.deps.tracker.begin(
      {
        id: `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
        kind,
        fileLabel: relativePath(p.job.root, target.document.uri),
        startedAt: Date.now(),
        ...(iterations === undefined ? {} : { iterationsPlanned: iterations }),
        source: {
          documentUri: target.document.uri.toString(),
          target: target.name,
          language: target.language,
          originalCode: target.code,
          indent: target.location.indent,
          testUris: p.testUris.map((u) => u.toString()),
        },
      },
      target.document.getText(),
    );
    void vscode.commands.executeCommand(`${PANEL_VIEW_ID}.focus`, { preserveFocus: true });
    return record;
  }

  /** Runs `events` under a cancellable progress notification, feeding the tracker. */
  private async track(
    runId: string,
    title: string,
    events: (signal: AbortSignal) => AsyncIterable<LoopEvent>,
  ): Promise<void> {
    const { tracker, log } = this.deps;
    const controller = new AbortController();
    let finish: () => void = () => undefined;
    this.live.set(runId, { controller, done: new Promise<void>((resolve) => (finish = resolve)) });
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        async (progress, token) => {
          const onCancel = token.onCancellationRequested(() => controller.abort());
          try {
            for await (const event of events(controller.signal)) {
              tracker.apply(runId, event);
              if (event.type !== 'modelText') {
                log.info(`[${runId}] ${describeEvent(event)}`);
                progress.report({ message: tracker.get(runId)?.view.message ?? '' });
              }
            }
          } finally {
            onCancel.dispose();
          }
        },
      );
      if (controller.signal.aborted) tracker.end(runId, 'cancelled', 'Cancelled.');
      else tracker.end(runId, 'failed', 'The run ended without a result.');
    } catch (error) {
      if (controller.signal.aborted) tracker.end(runId, 'cancelled', 'Cancelled.');
      else {
        const message = errorMessage(error);
        log.error(`[${runId}] ${errorDetail(error)}`);
        tracker.end(runId, 'failed', `The run stopped: ${message}`);
      }
    } finally {
      this.live.delete(runId);
      finish();
    }
  }

  private async announceOptimize(record: RunRecord, modelError: ModelErrorRecord | undefined): Promise<void> {
    const view = record.view;
    const name = view.functionName;
    switch (view.phase) {
      case 'improved': {
        const offer = bestOffered(record);
        const best = view.best;
        const choice = await vscode.window.showInformationMessage(
          `Afterburner: ${name} — iteration ${best?.iteration ?? '?'} is ${formatRatio(best?.speedup)} the original's speed (${formatMs(best?.medianMs ?? NaN)} median). Review it before accepting.`,
          ...(offer ? ['Show diff', 'Accept'] : []),
          'Open panel',
        );
        if (choice === 'Show diff' && offer)
          await this.deps.diffs.showDiff(offer.runId, offer.iteration, offer.candidate);
        if (choice === 'Accept' && offer) await this.deps.diffs.accept(offer.runId, offer.iteration, offer.candidate);
        if (choice === 'Open panel') await vscode.commands.executeCommand('afterburner.showPanel');
        return;
      }
      case 'no_improvement':
        if (modelError && view.iterations.every((it) => it.candidates.every((c) => c.status === 'model_error')))
          return this.modelFailed(modelError);
        return void vscode.window
          .showInformationMessage(`Afterburner: ${name} — ${view.message}`, 'Open panel')
          .then((c) => c && vscode.commands.executeCommand('afterburner.showPanel'));
      case 'cancelled':
        return void vscode.window.showInformationMessage(`Afterburner: the run on ${name} was cancelled.`);
      case 'failed':
        if (view.baseline && view.baseline.status !== 'passed') return this.originalFailed(record);
        if (modelError) return this.modelFailed(modelError);
        return void this.errorWithLog(`Afterburner: ${name} — ${view.message}`);
      default:
        return;
    }
  }

  private async announceProfile(record: RunRecord): Promise<void> {
    const view = record.view;
    if (view.phase === 'cancelled')
      return void vscode.window.showInformationMessage(`Afterburner: profiling ${view.functionName} was cancelled.`);
    if (view.baseline && view.baseline.status !== 'passed') return this.originalFailed(record);
    if (view.phase !== 'profiled') return void this.errorWithLog(`Afterburner: ${view.functionName} — ${view.message}`);
    const m = view.baseline?.measure;
    const growth = view.growth?.series.some((s) => s.kind === 'measured') ? ` Growth: ${view.growth.summary}.` : '';
    void vscode.window.showInformationMessage(
      m
        ? `Afterburner: ${view.functionName} — ${formatMs(m.medianMs)} median per replay of the recorded calls (CV ${(m.cv * 100).toFixed(1)} %), peak ${Math.round(m.peakMemoryKb)} kB.${growth}`
        : `Afterburner: ${view.functionName} — ${view.message}`,
    );
  }

  /** Tests fail (or time out, crash) on the code as written: show the first failure and offer the test. */
  private async originalFailed(record: RunRecord): Promise<void> {
    const base = record.view.baseline;
    const first = base?.failures[0];
    const detail = first ? ` First failure: ${first.test}: ${first.message.split('\n')[0]?.slice(0, 200) ?? ''}` : '';
    const choice = await vscode.window.showErrorMessage(
      `Afterburner: ${base?.message ?? record.view.message}${detail}`,
      'Open test',
      'Show output',
    );
    if (choice === 'Open test') await this.openTests(record.view.id);
    if (choice === 'Show output') this.deps.log.show(true);
  }

  private async modelFailed(error: ModelErrorRecord): Promise<void> {
    const settings = readSettings();
    const where = settings.provider === 'vscode-lm' ? 'the VS Code chat model' : settings.baseUrl;
    switch (error.error) {
      case 'auth':
        return this.modelProblem(
          `Afterburner: ${where} refused the credentials (401/403): ${error.message}`,
          settings.provider === 'vscode-lm' ? ['Select model'] : ['Set API key', 'Open settings'],
        );
      case 'rate_limit':
        return this.modelProblem(
          `Afterburner: ${where} is rate-limiting (429): ${error.message} Try again later, or lower afterburner.optimize.candidates.`,
          ['Open settings'],
        );
      case 'unavailable':
        return this.modelProblem(`Afterburner: cannot reach ${where}: ${error.message}`, [
          'Open settings',
          'Select model',
        ]);
      case 'bad_request':
        return this.modelProblem(`Afterburner: ${where} rejected the request: ${error.message}`, [
          'Select model',
          'Open settings',
        ]);
      case 'cancelled':
        return;
    }
  }

  private async modelProblem(message: string, actions: string[]): Promise<void> {
    const choice = await vscode.window.showErrorMessage(
      message.startsWith('Afterburner') ? message : `Afterburner: ${message}`,
      ...actions,
    );
    if (choice === 'Set API key') await vscode.commands.executeCommand('afterburner.setApiKey');
    if (choice === 'Select model') await vscode.commands.executeCommand('afterburner.selectModel');
    if (choice === 'Open settings') await openSettings('afterburner.llm');
  }

  private async offerLocalSandbox(message: string, kind: RunKind): Promise<void> {
    const choice = await vscode.window.showErrorMessage(
      `Afterburner: the Docker sandbox is not available. ${message} The local sandbox (an isolated child process) works without Docker.`,
      'Use local sandbox',
      'Open settings',
    );
    if (choice === 'Use local sandbox') {
      await updateSetting('sandbox.backend', 'local');
      await vscode.commands.executeCommand(kind === 'profile' ? 'afterburner.profile' : 'afterburner.optimize');
    }
    if (choice === 'Open settings') await openSettings('afterburner.sandbox');
  }

  private async errorWithLog(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, 'Show output');
    if (choice) this.deps.log.show(true);
  }
}

/**
 * Only JavaScript/TypeScript runs need the workspace (its node_modules hold their test runner);
 * a Python run gets nothing of the user's beyond the files it was sent.
 */
/** Passes events through while keeping a copy of each. */
async function* recorded(events: AsyncIterable<LoopEvent>, into: LoopEvent[]): AsyncGenerator<LoopEvent> {
  for await (const event of events) {
    into.push(event);
    yield event;
  }
}

function workspaceRootFor(p: Prepared): { workspaceRoot?: string; project?: ProjectMount } {
  if (p.job.project) return { project: p.job.project };
  return harnessOf(p.target.language).usesWorkspace && p.job.root.scheme === 'file'
    ? { workspaceRoot: p.job.root.fsPath }
    : {};
}

function describeEvent(event: LoopEvent): string {
  switch (event.type) {
    case 'started':
      return `started: sandbox ${event.sandbox} (${event.isolation})${event.model ? `, model ${event.model}` : ''}`;
    case 'baseline':
      return `baseline: ${event.result.kind}${event.result.kind === 'passed' && event.result.measurement ? `, median ${formatMs(event.result.measurement.runtimeMs.median)}` : ''} (${Math.round(event.result.wallMs)} ms in the sandbox)`;
    case 'iterationStarted':
      return `iteration ${event.iteration} started`;
    case 'modelText':
      return `model text (${event.text.length} chars)`;
    case 'candidateProposed':
      return `iteration ${event.iteration}, candidate ${event.index} proposed (${event.code.split('\n').length} lines)`;
    case 'candidateMeasured':
      return `iteration ${event.candidate.iteration}, candidate ${event.candidate.index}: ${event.candidate.status}; ${event.candidate.verdict.reason}`;
    case 'iterationDone':
      return `iteration ${event.iteration} done; best: iteration ${event.best.iteration} (${formatRatio(event.best.speedup)})`;
    case 'finished':
      return `finished: ${event.outcome}; ${event.reason}`;
  }
}
