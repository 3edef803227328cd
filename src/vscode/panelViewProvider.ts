/**
 * The `afterburner.panel` webview view. Small on purpose: the run tracker owns the state, this
 * sends it after the webview's `ready`, whenever it changes and whenever the view is shown again
 * (the webview is not kept alive while hidden), and turns validated messages into actions.
 */
import * as vscode from 'vscode';
import { parseFromWebviewMessage, type FromWebviewMessage, type ToWebviewMessage } from '../shared/protocol';
import { panelHtml } from './panelHtml';
import type { RunTracker } from './runTracker';
import type { HotspotsPanelPart } from './hotspotsCommand';
import { errorMessage } from '../core/errorMessage';

export const PANEL_VIEW_ID = 'afterburner.panel';

/** What the panel's buttons do; implemented by the features that own each action. */
export interface PanelActions {
  showDiff(runId: string, iteration: number, candidate: number): Promise<void>;
  accept(runId: string, iteration: number, candidate: number): Promise<void>;
  reject(runId: string, iteration: number): Promise<void>;
  cancel(runId: string): void;
  openTests(runId: string): Promise<void>;
}

/** Coalesces bursts of changes (streamed model text) into one post. */
const POST_DELAY_MS = 80;

export class PanelViewProvider implements vscode.WebviewViewProvider {
  static register(
    context: vscode.ExtensionContext,
    tracker: RunTracker,
    actions: PanelActions,
    log: vscode.LogOutputChannel,
    hotspots?: HotspotsPanelPart,
  ): vscode.Disposable {
    const provider = new PanelViewProvider(context.extensionUri, tracker, actions, log, hotspots);
    return vscode.Disposable.from(
      vscode.window.registerWebviewViewProvider(PANEL_VIEW_ID, provider),
      tracker.onDidChange(() => provider.schedulePost()),
      ...(hotspots ? [hotspots.onDidChange(() => provider.schedulePost())] : []),
    );
  }

  private view: vscode.WebviewView | undefined;
  private ready = false;
  private postTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly tracker: RunTracker,
    private readonly actions: PanelActions,
    private readonly log: vscode.LogOutputChannel,
    private readonly hotspots?: HotspotsPanelPart,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.extensionUri, 'dist'),
        vscode.Uri.joinPath(this.extensionUri, 'media'),
      ],
    };
    view.webview.html = panelHtml(view.webview, this.extensionUri);
    const subscriptions = [
      view.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      view.onDidChangeVisibility(() => {
        if (view.visible) this.post();
      }),
    ];
    view.onDidDispose(() => {
      subscriptions.forEach((s) => s.dispose());
      if (this.view === view) this.view = undefined;
    });
  }

  private receive(raw: unknown): void {
    const parsed = parseFromWebviewMessage(raw);
    if (parsed.kind === 'invalid') {
      this.log.warn(`Ignored a message from the panel: ${parsed.reason}`);
      return;
    }
    this.dispatch(parsed.message).catch((error: unknown) => {
      this.log.error(`Panel action ${parsed.message.type} failed: ${errorMessage(error)}`);
    });
  }

  private async dispatch(message: FromWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.post();
        return;
      case 'showDiff':
        return this.actions.showDiff(message.runId, message.iteration, message.candidate);
      case 'accept':
        return this.actions.accept(message.runId, message.iteration, message.candidate);
      case 'reject':
        return this.actions.reject(message.runId, message.iteration);
      case 'cancelRun':
        return this.actions.cancel(message.runId);
      case 'openRun':
        if (!this.tracker.show(message.runId))
          void vscode.window.showWarningMessage('Afterburner: that run is no longer stored.');
        return;
      case 'openTests':
        return this.actions.openTests(message.runId);
      case 'findHotspots':
        return this.hotspots?.find();
      case 'cancelHotspots':
        return this.hotspots?.cancel();
      case 'hotspot':
        return this.hotspots?.act(message.action, message.language, message.index);
    }
  }

  private schedulePost(): void {
    if (this.postTimer !== undefined) return;
    this.postTimer = setTimeout(() => {
      this.postTimer = undefined;
      this.post();
    }, POST_DELAY_MS);
  }

  private post(): void {
    const view = this.view;
    if (!view || !this.ready || !view.visible) return;
    const message: ToWebviewMessage = { type: 'state', state: this.tracker.panelState() };
    void view.webview.postMessage(message);
    if (this.hotspots) {
      const hotspots: ToWebviewMessage = { type: 'hotspots', hotspots: this.hotspots.view() ?? null };
      void view.webview.postMessage(hotspots);
    }
  }
}
