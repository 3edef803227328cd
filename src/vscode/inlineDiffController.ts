/**
 * Show diff, Accept and Reject for an iteration's code, from the panel, the diff views' title
 * bars and CodeLens above the function and above each change of the inline view. Show diff opens
 * the inline (unified) view or VS Code's side-by-side diff editor, as `afterburner.diff.layout`
 * says; each offers the other from its title bar. Accept re-locates the function at that moment and replaces
 * exactly it (plus any import the candidate needs) in ONE WorkspaceEdit, so one undo reverts it;
 * it refuses if the function's text changed since the run started. Reject changes nothing.
 */
import * as vscode from 'vscode';
import { planCandidateEdits, sameFunctionText } from '../panel/diffModel';
import { findCandidate, type RunRecord } from '../panel/panelState';
import { locateFunction, type FunctionLocation } from '../core/functionLocator';
import { languageOf, supportedEditorLanguages } from '../languages/registry';
import {
  CANDIDATE_SCHEME,
  INLINE_SCHEME,
  candidateText,
  candidateUri,
  parseCandidateUri,
  type CandidateRef,
} from './candidateDocuments';
import { readSettings, type DiffLayoutSetting } from './configuration';
import type { InlineDiffView } from './inlineDiffView';
import type { RunTracker } from './runTracker';
import { followDocuments } from './documentFollower';

export class InlineDiffController {
  static register(
    tracker: RunTracker,
    inlineView: InlineDiffView,
    log: vscode.LogOutputChannel,
  ): { controller: InlineDiffController; disposable: vscode.Disposable } {
    const controller = new InlineDiffController(tracker, inlineView, log);
    const lenses = new IterationCodeLens(tracker);
    const disposable = vscode.Disposable.from(
      vscode.commands.registerCommand(
        'afterburner.showDiff',
        (arg?: unknown, iteration?: unknown, candidate?: unknown) =>
          controller.showDiffCommand(arg, iteration, candidate),
      ),
      vscode.commands.registerCommand(
        'afterburner.showDiffSideBySide',
        (arg?: unknown, iteration?: unknown, candidate?: unknown) =>
          controller.showDiffCommand(arg, iteration, candidate, 'sideBySide'),
      ),
      vscode.commands.registerCommand(
        'afterburner.showDiffInline',
        (arg?: unknown, iteration?: unknown, candidate?: unknown) =>
          controller.showDiffCommand(arg, iteration, candidate, 'inline'),
      ),
      vscode.commands.registerCommand(
        'afterburner.acceptIteration',
        (arg?: unknown, iteration?: unknown, candidate?: unknown) =>
          controller.acceptCommand(arg, iteration, candidate),
      ),
      vscode.commands.registerCommand('afterburner.rejectIteration', (arg?: unknown, iteration?: unknown) =>
        controller.rejectCommand(arg, iteration),
      ),
      vscode.languages.registerCodeLensProvider(
        [...supportedEditorLanguages().map((language) => ({ scheme: 'file', language })), { scheme: 'untitled' }],
        lenses,
      ),
      lenses,
      followDocuments(tracker),
    );
    return { controller, disposable };
  }

  private constructor(
    private readonly tracker: RunTracker,
    private readonly inlineView: InlineDiffView,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async showDiff(
    runId: string,
    iteration: number,
    candidate: number,
    layout: DiffLayoutSetting = readSettings().diffLayout,
  ): Promise<void> {
    const record = this.tracker.get(runId);
    if (!record) return void vscode.window.showWarningMessage('Afterburner: that run is no longer stored.');
    const ready = await candidateText(this.tracker, { runId, iteration, candidate });
    if (ready.kind === 'missing')
      return void vscode.window.showWarningMessage(`Afterburner: cannot show the diff. ${ready.message}`);
    // One view of an iteration at a time: the other layout's tab, if open, gives way.
    await closeDiffs(runId, iteration, layout === 'inline' ? CANDIDATE_SCHEME : INLINE_SCHEME);
    if (layout === 'inline') {
      const document = await vscode.workspace.openTextDocument(
        candidateUri(record, iteration, candidate, INLINE_SCHEME),
      );
      const editor = await vscode.window.showTextDocument(document, { preview: true, preserveFocus: false });
      const firstChange = this.inlineView.firstChange(editor.document.uri);
      if (firstChange !== undefined) {
        const at = new vscode.Position(firstChange, 0);
        editor.selection = new vscode.Selection(at, at);
        editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }
      return;
    }
    const title = `${record.source.target}: current ↔ iteration ${iteration}${candidate === record.view.iterations.find((it) => it.iteration === iteration)?.offered ? '' : ` (candidate ${candidate})`}`;
    await vscode.commands.executeCommand(
      'vscode.diff',
      ready.document.uri,
      candidateUri(record, iteration, candidate),
      title,
      { preview: true, preserveFocus: false },
    );
  }

  async accept(runId: string, iteration: number, candidate: number): Promise<boolean> {
    const record = this.tracker.get(runId);
    const stored = record ? findCandidate(record, iteration, candidate) : undefined;
    if (!record || !stored) {
      void vscode.window.showWarningMessage('Afterburner: there is no code to accept for that iteration.');
      return false;
    }
    const { source } = record;
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.documentUri));
    } catch {
      void vscode.window.showErrorMessage(
        `Afterburner: ${record.view.fileLabel} cannot be opened, so nothing was changed.`,
      );
      return false;
    }
    const text = document.getText();
    const location = locateFunction(languageOf(source.language), text, source.target);
    if (!location) {
      void vscode.window.showErrorMessage(
        `Afterburner: ${source.target} is no longer in ${record.view.fileLabel}, so nothing was changed.`,
      );
      return false;
    }
    const current = text.slice(location.start, location.end);
    if (
      !sameFunctionText(source.originalCode, current) &&
      !(record.appliedCode !== undefined && sameFunctionText(record.appliedCode, current))
    ) {
      this.log.info(
        `Accept of ${source.target} iteration ${iteration} refused: the function changed since the run started.`,
      );
      const choice = await vscode.window.showWarningMessage(
        `Afterburner: ${source.target} changed since the run started, so accepting iteration ${iteration} would overwrite your edits. Nothing was changed.`,
        'Show diff against current text',
      );
      if (choice) await this.showDiff(runId, iteration, candidate);
      return false;
    }
    const plan = planCandidateEdits(languageOf(source.language), text, location, stored);
    const edit = new vscode.WorkspaceEdit();
    for (const e of plan.edits)
      edit.replace(document.uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage(
        `Afterburner: VS Code refused the edit to ${record.view.fileLabel}; nothing was changed.`,
      );
      return false;
    }
    const written = functionTextAfter(source.language, document, source.target) ?? stored.code;
    this.tracker.decide(runId, iteration, 'applied', written);
    await closeDiffs(runId);
    this.log.info(
      `Accepted iteration ${iteration} (candidate ${candidate}) of ${source.target} in ${record.view.fileLabel}.`,
    );
    const words = record.view.iterations
      .find((it) => it.iteration === iteration)
      ?.candidates.find((c) => c.index === candidate)?.changeWords;
    void vscode.window.showInformationMessage(
      `Afterburner: applied iteration ${iteration} to ${source.target}${words ? ` (${words})` : ''}. Undo reverts it; the file is not saved yet.`,
    );
    await vscode.window.showTextDocument(document, {
      preview: false,
      selection: new vscode.Range(document.positionAt(location.start), document.positionAt(location.start)),
    });
    return true;
  }

  async reject(runId: string, iteration: number): Promise<void> {
    if (!this.tracker.get(runId)) return;
    this.tracker.decide(runId, iteration, 'dismissed');
    await closeDiffs(runId, iteration);
    this.log.info(`Rejected iteration ${iteration} of run ${runId}.`);
  }

  // Commands: arguments come from the panel's host side, CodeLens (runId, iteration, candidate),
  // the diff editor's title bar (its URI) or the palette (nothing: the shown run's best iteration).

  private async showDiffCommand(
    arg: unknown,
    iteration: unknown,
    candidate: unknown,
    layout?: DiffLayoutSetting,
  ): Promise<void> {
    const ref = this.refFrom(arg, iteration, candidate);
    if (!ref)
      return void vscode.window.showInformationMessage(
        'Afterburner: no iteration with code to show. Run "Optimize efficiency" first.',
      );
    await this.showDiff(ref.runId, ref.iteration, ref.candidate, layout);
  }

  private async acceptCommand(arg: unknown, iteration: unknown, candidate: unknown): Promise<void> {
    const ref = this.refFrom(arg, iteration, candidate);
    if (!ref) return void vscode.window.showInformationMessage('Afterburner: no iteration to accept.');
    await this.accept(ref.runId, ref.iteration, ref.candidate);
  }

  private async rejectCommand(arg: unknown, iteration: unknown): Promise<void> {
    const ref = this.refFrom(arg, iteration, undefined);
    if (!ref) return;
    await this.reject(ref.runId, ref.iteration);
  }

  private refFrom(arg: unknown, iteration: unknown, candidate: unknown): CandidateRef | undefined {
    if (arg instanceof vscode.Uri) return parseCandidateUri(arg);
    if (typeof arg === 'string' && typeof iteration === 'number') {
      const record = this.tracker.get(arg);
      const offered = record?.view.iterations.find((it) => it.iteration === iteration)?.offered;
      const k = typeof candidate === 'number' ? candidate : offered;
      return k === undefined ? undefined : { runId: arg, iteration, candidate: k };
    }
    const active = vscode.window.activeTextEditor?.document.uri;
    const fromActive = active ? parseCandidateUri(active) : undefined;
    if (fromActive) return fromActive;
    const shown = this.tracker.shown();
    return shown ? bestOffered(shown) : undefined;
  }
}

/** The iteration worth offering first: the run's best if still undecided, else the latest undecided one. */
export function bestOffered(record: RunRecord): CandidateRef | undefined {
  const undecided = record.view.iterations.filter((it) => it.offered !== undefined && it.decision === 'undecided');
  const pick = undecided.find((it) => it.iteration === record.view.best?.iteration) ?? undecided[undecided.length - 1];
  return pick?.offered === undefined
    ? undefined
    : { runId: record.view.id, iteration: pick.iteration, candidate: pick.offered };
}

function functionTextAfter(
  language: RunRecord['source']['language'],
  document: vscode.TextDocument,
  target: string,
): string | undefined {
  const text = document.getText();
  const location: FunctionLocation | undefined = locateFunction(languageOf(language), text, target);
  return location ? text.slice(location.start, location.end) : undefined;
}

/** Closes the diff views (side-by-side and inline, or only those of `scheme`) of a run or one of its iterations. */
async function closeDiffs(runId: string, iteration?: number, scheme?: string): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((group) =>
    group.tabs.filter((tab) => {
      const input = tab.input;
      const uri =
        input instanceof vscode.TabInputTextDiff
          ? input.modified
          : input instanceof vscode.TabInputText
            ? input.uri
            : undefined;
      const ref = uri ? parseCandidateUri(uri) : undefined;
      return (
        ref !== undefined &&
        (scheme === undefined || uri?.scheme === scheme) &&
        ref.runId === runId &&
        (iteration === undefined || ref.iteration === iteration)
      );
    }),
  );
  if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
}

/** "Afterburner: iteration 2, 1.84× faster, peak memory 12 % lower — Show diff · Accept · Reject" above a function with an undecided iteration. */
class IterationCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly tracker: RunTracker) {
    this.subscription = tracker.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const uri = document.uri.toString();
    const lenses: vscode.CodeLens[] = [];
    const seen = new Set<string>();
    for (const record of this.tracker.all()) {
      if (record.source.documentUri !== uri || seen.has(record.source.target)) continue;
      seen.add(record.source.target);
      const location = locateFunction(languageOf(record.source.language), document.getText(), record.source.target);
      if (!location) continue;
      const range = new vscode.Range(location.startLine, 0, location.startLine, 0);
      const offer = bestOffered(record);
      if (offer) {
        const it = record.view.iterations.find((i) => i.iteration === offer.iteration);
        const words = it?.candidates.find((c) => c.index === offer.candidate)?.changeWords;
        const args = [offer.runId, offer.iteration, offer.candidate];
        lenses.push(
          new vscode.CodeLens(range, {
            title: `$(rocket) Afterburner: iteration ${offer.iteration}${words ? `, ${words}` : ''} — Show diff`,
            command: 'afterburner.showDiff',
            arguments: args,
          }),
          new vscode.CodeLens(range, { title: 'Accept', command: 'afterburner.acceptIteration', arguments: args }),
          new vscode.CodeLens(range, {
            title: 'Reject',
            command: 'afterburner.rejectIteration',
            arguments: args.slice(0, 2),
          }),
        );
      } else if (record.view.phase === 'running') {
        lenses.push(
          new vscode.CodeLens(range, {
            title: '$(sync~spin) Afterburner: optimizing…',
            command: 'afterburner.showPanel',
          }),
        );
      }
    }
    return lenses;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
