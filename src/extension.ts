// Wiring only: each feature registers itself and returns its disposables.
import * as vscode from 'vscode';
import { registerApiKeyCommand } from './vscode/apiKeyStore';
import { CandidateDocuments } from './vscode/candidateDocuments';
import { InlineDiffController } from './vscode/inlineDiffController';
import { InlineDiffView } from './vscode/inlineDiffView';
import { HotspotsController } from './vscode/hotspotsCommand';
import { InputGeneratorCommand } from './vscode/inputGeneratorCommand';
import { registerModelPicker } from './vscode/modelPicker';
import { PanelViewProvider } from './vscode/panelViewProvider';
import { RunController } from './vscode/runController';
import { registerPanelCommands } from './vscode/panelCommands';
import { RunStore } from './vscode/runStore';
import { RunTracker } from './vscode/runTracker';
import { SandboxProvider } from './vscode/sandboxProvider';
import { registerStatusBar } from './vscode/statusBar';

let shutdown: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Afterburner', { log: true });
  const tracker = new RunTracker(new RunStore(context.workspaceState));
  const sandboxes = new SandboxProvider(context.extensionPath, log);
  const inline = InlineDiffView.register(tracker, context.extensionUri);
  const diffs = InlineDiffController.register(tracker, inline.view, log);
  const runs = RunController.register({ context, tracker, sandboxes, diffs: diffs.controller, log });
  const hotspots = HotspotsController.register(context, sandboxes, log);

  context.subscriptions.push(
    log,
    tracker,
    inline.disposable,
    diffs.disposable,
    runs.disposable,
    hotspots.disposable,
    CandidateDocuments.register(tracker),
    PanelViewProvider.register(
      context,
      tracker,
      {
        showDiff: (runId, iteration, candidate) => diffs.controller.showDiff(runId, iteration, candidate),
        accept: async (runId, iteration, candidate) =>
          void (await diffs.controller.accept(runId, iteration, candidate)),
        reject: (runId, iteration) => diffs.controller.reject(runId, iteration),
        cancel: (runId) => runs.controller.cancel(runId),
        openTests: (runId) => runs.controller.openTests(runId),
      },
      log,
      hotspots.controller,
    ),
    registerPanelCommands(tracker),
    InputGeneratorCommand.register(context, log),
    registerApiKeyCommand(context, log),
    registerModelPicker(context.secrets, log),
    registerStatusBar(tracker),
  );
  shutdown = async () => {
    await runs.controller.shutdown();
    await tracker.flush();
  };
}

/** Stops live runs and disposes every sandbox, so no container or process outlives the window. */
export function deactivate(): Promise<void> | undefined {
  return shutdown?.();
}
