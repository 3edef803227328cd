/**
 * "Afterburner: Find hot functions": runs a folder's tests under the harness's profiler in the
 * sandbox (progress with Cancel), keeps the last result per workspace, feeds the panel's Hot
 * functions section, and starts Profile / Optimize on a listed function. Optional CodeLens above
 * hot functions (`afterburner.hotspots.codeLens`).
 */
import { harnessOf, languageOf } from '../languages/registry';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { rankHotspots } from '../core/hotspots';
import { errorMessage } from '../core/errorMessage';
import type { HotspotAction, HotspotsLanguageView, HotspotsView } from '../shared/protocol';
import {
  codeLensTitle,
  finishedView,
  hotFunctionAt,
  languageView,
  restoredView,
  runningView,
} from '../panel/hotspotsState';
import { hotspotsJob, rankingContext } from '../cli/hotspotsJob';
import type { HotspotsRun, UnsavedFiles } from '../cli/hotspotsJob';
import { projectFilesOnDisk } from '../cli/projectFilesOnDisk';
import { omittedNote } from '../cli/sandboxJobInput';
import { findProjectTests } from '../languages/projectTests';
import { readSettings } from './configuration';
import { choosePythonForRun } from './pythonChoice';
import type { SandboxProvider } from './sandboxProvider';

const STATE_KEY = 'afterburner.hotspots.last';
/** A whole test suite under a profiler takes longer than one function's tests. */
const MIN_TIMEOUT_SECONDS = 300;
const PANEL_VIEW_ID = 'afterburner.panel';

/** What the panel needs from the Hot functions feature. */
export interface HotspotsPanelPart {
  readonly onDidChange: vscode.Event<void>;
  view(): HotspotsView | undefined;
  find(): Promise<void>;
  cancel(): void;
  act(action: HotspotAction, language: number, index: number): Promise<void>;
}

export class HotspotsController implements HotspotsPanelPart, vscode.CodeLensProvider {
  static register(
    context: vscode.ExtensionContext,
    sandboxes: SandboxProvider,
    log: vscode.LogOutputChannel,
  ): { readonly controller: HotspotsController; readonly disposable: vscode.Disposable } {
    const controller = new HotspotsController(context, sandboxes, log);
    const disposable = vscode.Disposable.from(
      controller.changed,
      controller.lensesChanged,
      vscode.commands.registerCommand('afterburner.findHotspots', (uri?: unknown) =>
        controller.find(uri instanceof vscode.Uri ? uri : undefined),
      ),
      vscode.commands.registerCommand(
        'afterburner.hotspotAction',
        (action: unknown, language: unknown, index: unknown) =>
          action === 'open' || action === 'profile' || action === 'optimize'
            ? controller.act(action, Number(language), Number(index))
            : undefined,
      ),
      vscode.languages.registerCodeLensProvider(
        [{ language: 'python' }, { language: 'javascript' }, { language: 'typescript' }],
        controller,
      ),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('afterburner.hotspots.codeLens')) controller.lensesChanged.fire();
      }),
    );
    return { controller, disposable };
  }

  private readonly changed = new vscode.EventEmitter<void>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private current: { view: HotspotsView; root: string } | undefined;
  private running: AbortController | undefined;

  private constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly sandboxes: SandboxProvider,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const stored = context.workspaceState.get<{ view: unknown; root: unknown }>(STATE_KEY);
    const view = restoredView(stored?.view);
    if (view && typeof stored?.root === 'string') this.current = { view, root: stored.root };
  }

  view(): HotspotsView | undefined {
    return this.current?.view;
  }

  cancel(): void {
    this.running?.abort(new Error('Cancelled.'));
  }

  private async pickFolder(uri: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
    if (uri?.scheme === 'file') return uri;
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 1) return folders[0]?.uri;
    if (folders.length === 0) {
      void vscode.window.showErrorMessage('Afterburner: open a folder with tests to find its hot functions.');
      return undefined;
    }
    return (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Find hot functions in which folder?' }))?.uri;
  }

  private update(view: HotspotsView, root: string): void {
    this.current = { view, root };
    this.changed.fire();
    this.lensesChanged.fire();
    void this.context.workspaceState.update(STATE_KEY, { view, root });
  }

  async find(uri?: vscode.Uri): Promise<void> {
    if (this.running) {
      void vscode.window.showInformationMessage('Afterburner: hot functions are being searched already.');
      return;
    }
    const folder = await this.pickFolder(uri);
    if (!folder) return;
    const root = folder.fsPath;
    const workspaceFolder = vscode.workspace.getWorkspaceFolder(folder);
    // A workspace folder by its name; a folder inside one by its path there (never an absolute path).
    const label =
      workspaceFolder && workspaceFolder.uri.fsPath === root
        ? workspaceFolder.name
        : vscode.workspace.asRelativePath(folder, true) || path.basename(root);
    const startedAt = Date.now();
    const controller = new AbortController();
    this.running = controller;
    this.update(runningView(label, startedAt), root);
    void vscode.commands.executeCommand(`${PANEL_VIEW_ID}.focus`, { preserveFocus: true });
    try {
      const languages = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: 'Afterburner: finding hot functions',
          cancellable: true,
        },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort(new Error('Cancelled.')));
          return this.search(root, controller.signal, (message) => progress.report({ message }));
        },
      );
      this.update(finishedView(label, startedAt, Date.now(), languages, controller.signal.aborted), root);
    } catch (error) {
      const cancelled = controller.signal.aborted;
      if (!cancelled) this.log.error(`Finding hot functions failed: ${errorMessage(error)}`);
      this.update(
        {
          ...finishedView(label, startedAt, Date.now(), [], cancelled),
          ...(cancelled ? {} : { status: 'error' as const, message: errorMessage(error) }),
        },
        root,
      );
    } finally {
      this.running = undefined;
    }
  }

  private async search(
    root: string,
    signal: AbortSignal,
    report: (message: string) => void,
  ): Promise<HotspotsLanguageView[]> {
    const settings = readSettings(vscode.Uri.file(root));
    const limits = {
      timeoutMs: Math.max(settings.timeoutSeconds, MIN_TIMEOUT_SECONDS) * 1000,
      memoryMb: settings.memoryMb,
    };
    const found = await findProjectTests(root, projectFilesOnDisk);
    if (found.groups.length === 0)
      this.log.info(`No tests found under ${root}: looked for ${found.lookedFor.join('; ')}.`);
    // The same jobs as the CLI's, with the editor's unsaved files; each knows its project root.
    const unsaved = unsavedFiles();
    const runs: HotspotsRun[] = [];
    for (const group of found.groups) {
      const built = hotspotsJob(group, limits, unsaved);
      if (built.kind === 'error') throw new Error(built.message);
      const omitted = omittedNote(built.run.omitted);
      if (omitted) this.log.warn(omitted);
      runs.push(built.run);
    }
    // The same sandbox as Profile's, under the Python Profile would choose for the first Python project.
    const pythonRun = runs.find((run) => harnessOf(run.job.language).runtime === 'cpython');
    const python = pythonRun
      ? await choosePythonForRun(vscode.Uri.file(root), pythonRun.job.language, pythonRun.root, settings, this.log)
      : undefined;
    const selection = await this.sandboxes.get(settings.backend, limits, python);
    if (selection.kind === 'error') throw new Error(selection.message);
    const views: HotspotsLanguageView[] = [];
    for (const run of runs) {
      if (signal.aborted) break;
      const { language } = run.job;
      report(`${run.tests.length} ${language} test file(s)…`);
      const result = await selection.sandbox.run(run.job, signal);
      const ranking = rankingContext(run, root);
      const ranked =
        result.kind === 'passed' || result.kind === 'failed'
          ? rankHotspots({
              language: languageOf(language),
              functions: result.hotspots?.functions ?? [],
              testMs: result.hotspots?.testMs ?? 0,
              testFiles: ranking.testFiles,
              sourceOf: ranking.sourceOf,
            }).map((f) => ({ ...f, file: ranking.shownAs(f.file) }))
          : [];
      this.log.info(
        `Hot functions (${language}, project root ${run.root}): ${result.kind}, ${ranked.length} function(s).`,
      );
      views.push(languageView(language, result, ranked));
    }
    return views;
  }

  async act(action: HotspotAction, language: number, index: number): Promise<void> {
    const found = hotFunctionAt(this.current?.view, language, index);
    if (!found || !this.current) return;
    const uri = vscode.Uri.file(path.join(this.current.root, found.fn.file));
    const line = Math.max(0, found.fn.line - 1);
    const editor = await vscode.window.showTextDocument(uri, {
      preview: false,
      selection: new vscode.Range(line, 0, line, 0),
    });
    editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    if (action === 'open') return;
    await vscode.commands.executeCommand(action === 'profile' ? 'afterburner.profile' : 'afterburner.optimize', uri);
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('afterburner').get<boolean>('hotspots.codeLens', false)) return [];
    const current = this.current;
    if (!current || document.uri.scheme !== 'file') return [];
    const file = path.relative(current.root, document.uri.fsPath).split(path.sep).join('/');
    const lenses: vscode.CodeLens[] = [];
    current.view.languages.forEach((lang, language) =>
      lang.functions.forEach((fn, index) => {
        if (fn.file !== file || fn.line > document.lineCount) return;
        lenses.push(
          new vscode.CodeLens(new vscode.Range(fn.line - 1, 0, fn.line - 1, 0), {
            title: codeLensTitle(fn),
            command: 'afterburner.hotspotAction',
            arguments: ['optimize', language, index],
          }),
        );
      }),
    );
    return lenses;
  }
}

/** The open documents with unsaved edits: a run sees the code as the editor has it. */
function unsavedFiles(): UnsavedFiles {
  return new Map(
    vscode.workspace.textDocuments
      .filter((d) => d.isDirty && d.uri.scheme === 'file')
      .map((d) => [d.uri.fsPath, d.getText()] as const),
  );
}
