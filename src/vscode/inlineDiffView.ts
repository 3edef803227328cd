/**
 * The inline (unified) diff of an iteration: a read-only document
 * `afterburner-inline:/<run>/<iteration>/<candidate>/<file name>` holding the current file with
 * the candidate's removed and added lines in place, in the file's own language (the name keeps
 * its extension), removed lines on the theme's "removed" background with a − in the gutter and
 * added lines on the "inserted" one with a +. Accept, Reject and "Side by side" sit above every
 * change as CodeLens and in the editor's title bar. The user's document is not touched; the view
 * follows their edits of it.
 */
import * as vscode from 'vscode';
import { inlineDiff, type InlineDiff, type InlineLineKind } from '../panel/inlineDiff';
import { INLINE_SCHEME, candidateText, parseCandidateUri, viewsOf } from './candidateDocuments';
import type { RunTracker } from './runTracker';
import type { CandidateView } from '../shared/protocol';

export class InlineDiffView implements vscode.TextDocumentContentProvider, vscode.CodeLensProvider {
  static register(
    tracker: RunTracker,
    extensionUri: vscode.Uri,
  ): { view: InlineDiffView; disposable: vscode.Disposable } {
    const view = new InlineDiffView(tracker, extensionUri);
    const disposable = vscode.Disposable.from(
      vscode.workspace.registerTextDocumentContentProvider(INLINE_SCHEME, view),
      vscode.languages.registerCodeLensProvider({ scheme: INLINE_SCHEME }, view),
      vscode.workspace.onDidChangeTextDocument((event) => {
        for (const uri of viewsOf(tracker, event.document.uri, INLINE_SCHEME)) view.changed.fire(uri);
        if (event.document.uri.scheme === INLINE_SCHEME) view.decorate();
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => view.decorate()),
      vscode.workspace.onDidCloseTextDocument((doc) => view.diffs.delete(doc.uri.toString())),
      // The hover carries the run's words, which grow after the diff opened (the growth change).
      tracker.onDidChange(() => {
        view.lensesChanged.fire();
        view.decorate();
      }),
      view.changed,
      view.lensesChanged,
      view.removed,
      view.added,
    );
    return { view, disposable };
  }

  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  /** The diff each open inline document was last given, by URI: the decorations' source. */
  private readonly diffs = new Map<string, InlineDiff>();
  private readonly removed: vscode.TextEditorDecorationType;
  private readonly added: vscode.TextEditorDecorationType;

  private constructor(
    private readonly tracker: RunTracker,
    extensionUri: vscode.Uri,
  ) {
    const icon = (name: string, theme: 'light' | 'dark') =>
      vscode.Uri.joinPath(extensionUri, 'media', `${name}-${theme}.svg`);
    // Colours are the diff editor's own, so light, dark and high-contrast themes mark the lines the
    // way VS Code marks them (high-contrast themes draw the borders, the others the backgrounds).
    const style = (kind: 'removed' | 'inserted', name: string): vscode.DecorationRenderOptions => ({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor(`diffEditor.${kind}LineBackground`),
      borderColor: new vscode.ThemeColor(`diffEditor.${kind}TextBorder`),
      borderStyle: 'dashed',
      borderWidth: '1px 0 1px 0',
      overviewRulerColor: new vscode.ThemeColor(
        kind === 'removed' ? 'editorOverviewRuler.deletedForeground' : 'editorOverviewRuler.addedForeground',
      ),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
      light: { gutterIconPath: icon(name, 'light'), gutterIconSize: '70%' },
      dark: { gutterIconPath: icon(name, 'dark'), gutterIconSize: '70%' },
    });
    this.removed = vscode.window.createTextEditorDecorationType(style('removed', 'line-removed'));
    this.added = vscode.window.createTextEditorDecorationType(style('inserted', 'line-added'));
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = parseCandidateUri(uri);
    if (!ref) return '';
    const ready = await candidateText(this.tracker, ref);
    if (ready.kind === 'missing') {
      this.diffs.delete(uri.toString());
      return `${ready.message}\n`;
    }
    const diff = inlineDiff(ready.document.getText(), ready.text);
    this.diffs.set(uri.toString(), diff);
    // The editor may already show the document: mark the new lines once it has them.
    setTimeout(() => this.decorate(), 0);
    return diff.text;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const ref = parseCandidateUri(document.uri);
    const diff = this.diffs.get(document.uri.toString());
    const record = ref ? this.tracker.get(ref.runId) : undefined;
    if (!ref || !diff || !record) return [];
    const iteration = record.view.iterations.find((it) => it.iteration === ref.iteration);
    const decision = iteration?.decision ?? 'undecided';
    const words = iteration?.candidates.find((c) => c.index === ref.candidate)?.changeWords;
    const args = [ref.runId, ref.iteration, ref.candidate];
    const summary = `Iteration ${ref.iteration}${words ? `, ${words}` : ''}: +${diff.added} −${diff.removed} lines`;
    if (diff.hunks.length === 0) {
      return [
        new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
          title: `Iteration ${ref.iteration} changes nothing in the current file`,
          command: '',
        }),
      ];
    }
    return diff.hunks.flatMap((hunk, index) => {
      const range = new vscode.Range(hunk.startLine, 0, hunk.startLine, 0);
      const head = index === 0 ? [new vscode.CodeLens(range, { title: summary, command: '' })] : [];
      if (decision !== 'undecided') {
        return [
          ...head,
          new vscode.CodeLens(range, { title: decision === 'applied' ? 'Applied' : 'Rejected', command: '' }),
        ];
      }
      return [
        ...head,
        new vscode.CodeLens(range, {
          title: '$(check) Accept',
          tooltip: 'Replace the function in your file with this version (one undo step)',
          command: 'afterburner.acceptIteration',
          arguments: args,
        }),
        new vscode.CodeLens(range, {
          title: '$(close) Reject',
          tooltip: 'Dismiss this iteration; your file stays as it is',
          command: 'afterburner.rejectIteration',
          arguments: args.slice(0, 2),
        }),
        new vscode.CodeLens(range, {
          title: '$(split-horizontal) Side by side',
          command: 'afterburner.showDiffSideBySide',
          arguments: args,
        }),
      ];
    });
  }

  /** The first changed line of an open inline view, 0-based. */
  firstChange(uri: vscode.Uri): number | undefined {
    return this.diffs.get(uri.toString())?.hunks[0]?.startLine;
  }

  private explanationOf(uri: vscode.Uri): HoverSource | undefined {
    const ref = parseCandidateUri(uri);
    if (!ref) return undefined;
    const iteration = this.tracker.get(ref.runId)?.view.iterations.find((it) => it.iteration === ref.iteration);
    const candidate = iteration?.candidates.find((c) => c.index === ref.candidate);
    return { iteration: ref.iteration, ...(candidate ? { candidate } : {}) };
  }

  /** Marks the removed and added lines in every visible inline view. */
  decorate(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.scheme !== INLINE_SCHEME) continue;
      const diff = this.diffs.get(editor.document.uri.toString());
      // Until the editor holds the diff's lines (it may still show the previous text) nothing is marked.
      const matches = diff !== undefined && editor.document.lineCount >= diff.kinds.length;
      const why = this.explanationOf(editor.document.uri);
      editor.setDecorations(this.removed, matches ? linesOf(diff, 'removed', hoverText('Removed', why)) : []);
      editor.setDecorations(this.added, matches ? linesOf(diff, 'added', hoverText('Added', why)) : []);
    }
  }
}

interface HoverSource {
  readonly iteration: number;
  readonly candidate?: CandidateView;
}

/** The hover of a changed line: what changed, the measured change in words, and why it is faster. */
function hoverText(what: 'Added' | 'Removed', source: HoverSource | undefined): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString();
  const c = source?.candidate;
  markdown.appendMarkdown(`**${what} by iteration ${source?.iteration ?? ''}**`);
  if (c?.changeWords) markdown.appendText(` — ${c.changeWords}`);
  const e = c?.explanation;
  if (e?.model) {
    markdown.appendMarkdown('\n\n*The model:* ');
    markdown.appendText(e.model);
  }
  if (e && e.measured.length > 0 && c?.status === 'passed') {
    markdown.appendMarkdown('\n\n*Measured:*');
    for (const line of e.measured) {
      markdown.appendMarkdown('\n- ');
      markdown.appendText(line);
    }
  }
  return markdown;
}

function linesOf(diff: InlineDiff, kind: InlineLineKind, hover: vscode.MarkdownString): vscode.DecorationOptions[] {
  const options: vscode.DecorationOptions[] = [];
  diff.kinds.forEach((k, line) => {
    if (k === kind) options.push({ range: new vscode.Range(line, 0, line, 0), hoverMessage: hover });
  });
  return options;
}
