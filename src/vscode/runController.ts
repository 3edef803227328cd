/**
 * "Optimize efficiency" and "Profile function": prepare the run (runPreparation.ts), run it under
 * a cancellable progress notification feeding the tracker (runProgress.ts), then measure growth
 * (runGrowth.ts), keep the opt-in history (runHistoryRecorder.ts) and end with a message saying
 * what happened and what to do next (runMessages.ts).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { errorDetail, errorMessage } from '../core/errorMessage';
import { optimize } from '../core/loop';
import type { LoopEvent, OptimizeRequest } from '../core/loopTypes';
import type { RunRecord } from '../panel/panelState';
import type { InlineDiffController } from './inlineDiffController';
import { LiveRuns } from './liveRuns';
import { setUpModel, watchModelErrors } from './modelSetup';
import { PANEL_VIEW_ID } from './panelViewProvider';
import { growthSizes, measureBestGrowth, profileEvents } from './runGrowth';
import { recordRunHistory } from './runHistoryRecorder';
import { RunMessages } from './runMessages';
import { prepareRun, workspaceRootFor, type Prepared, type RunKind } from './runPreparation';
import { recorded, trackRun } from './runProgress';
import type { RunTracker } from './runTracker';
import type { SandboxProvider } from './sandboxProvider';
import { chooseTests, relativePath } from './testDiscovery';
import { resolveTarget } from './functionTarget';
import { languageOf } from '../languages/registry';

export interface RunControllerDeps {
  readonly context: vscode.ExtensionContext;
  readonly tracker: RunTracker;
  readonly sandboxes: SandboxProvider;
  readonly diffs: InlineDiffController;
  readonly log: vscode.LogOutputChannel;
}

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

  private readonly live = new LiveRuns();
  private readonly messages: RunMessages;

  private constructor(private readonly deps: RunControllerDeps) {
    this.messages = new RunMessages(deps.diffs, deps.log, (runId) => this.openTests(runId));
  }

  /** Cancels one run, or every live run. */
  cancel(runId?: string): void {
    this.live.cancel(runId);
  }

  /** Cancels live runs, waits briefly for them to stop, then disposes every sandbox. */
  async shutdown(): Promise<void> {
    await this.live.settle();
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
      const prepared = await prepareRun(
        {
          workspaceState: this.deps.context.workspaceState,
          sandboxes: this.deps.sandboxes,
          log: this.deps.log,
          noSandbox: (message, k) => void this.messages.noSandbox(message, k),
        },
        kind,
        arg instanceof vscode.Uri ? arg : undefined,
      );
      if (!prepared) return;
      if (kind === 'profile') await this.runProfile(prepared);
      else await this.runOptimize(prepared);
    } catch (error) {
      this.deps.log.error(`${kind} failed: ${errorDetail(error)}`);
      void this.messages.errorWithLog(
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

  private async runOptimize(p: Prepared): Promise<void> {
    const { tracker, log, context } = this.deps;
    const setup = await setUpModel(p.settings, context.secrets);
    if (setup.kind === 'problem') {
      log.warn(setup.message);
      void this.messages.modelProblem(
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
      patience: p.settings.patience,
      limits: p.limits,
      // Hot lines go into the prompt: the model sees where the time goes.
      measure: { hotLines: true },
      ...workspaceRootFor(p),
    };
    const runId = this.begin('optimize', p, p.settings.iterations).view.id;
    log.info(
      `Run ${runId}: model ${watched.model.describe()}, goal ${request.goal}, ${request.iterations} iteration(s) × ${request.candidates} candidate(s), patience ${request.patience}.`,
    );
    const events: LoopEvent[] = [];
    await trackRun({ tracker, live: this.live, log }, runId, `Afterburner: optimizing ${p.target.name}`, (signal) =>
      recorded(
        optimize({ sandbox: p.sandbox, model: watched.model, log: (line) => log.debug(line) }, request, signal),
        events,
      ),
    );
    await recordRunHistory(log, p, request, events, watched.model.describe());
    const done = tracker.get(runId);
    if (done) void this.messages.optimized(done, watched.lastError());
    const finished = events.find((e): e is Extract<LoopEvent, { type: 'finished' }> => e.type === 'finished');
    if (finished?.outcome === 'improved' && finished.best && finished.best.iteration > 0)
      await measureBestGrowth({ tracker, live: this.live, log }, p, runId, finished.best);
  }

  private async runProfile(p: Prepared): Promise<void> {
    const { tracker, log } = this.deps;
    const runId = this.begin('profile', p, undefined).view.id;
    const sizes = growthSizes(p, log);
    const deps = { tracker, live: this.live, log };
    await trackRun(deps, runId, `Afterburner: profiling ${p.target.name}`, profileEvents(deps, p, runId, sizes));
    if (sizes)
      tracker.applyGrowth(runId, {
        type: 'growthEnded',
        outcome: tracker.get(runId)?.view.phase === 'cancelled' ? 'cancelled' : 'done',
      });
    const done = tracker.get(runId);
    if (done) void this.messages.profiled(done);
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
        ...(p.interpreterOrigin !== undefined ? { interpreterOrigin: p.interpreterOrigin } : {}),
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
}
