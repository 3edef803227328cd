/**
 * Read-only virtual documents `afterburner-candidate:/<run>/<iteration>/<candidate>/<file name>`:
 * the user's document as it is now with the function replaced by a candidate. The diff editor
 * shows one next to the real document; the real document is untouched until Accept. The inline
 * view's documents (`afterburner-inline:`, see inlineDiffView.ts) are named the same way.
 */
import * as vscode from 'vscode';
import { planCandidateEdits } from '../panel/diffModel';
import { findCandidate, type RunRecord } from '../panel/panelState';
import { locateFunction } from '../core/functionLocator';
import { languageOf } from '../languages/registry';
import type { RunTracker } from './runTracker';

export const CANDIDATE_SCHEME = 'afterburner-candidate';
export const INLINE_SCHEME = 'afterburner-inline';
type RefScheme = typeof CANDIDATE_SCHEME | typeof INLINE_SCHEME;

export interface CandidateRef {
  readonly runId: string;
  readonly iteration: number;
  readonly candidate: number;
}

/**
 * The name ends with the file's own name, so its extension picks the language; the inline view's
 * tab says which iteration it shows ("iteration 2 · pairs.py"), the diff editor titles its own.
 */
export function candidateUri(
  record: RunRecord,
  iteration: number,
  candidate: number,
  scheme: RefScheme = CANDIDATE_SCHEME,
): vscode.Uri {
  const fileName = vscode.Uri.parse(record.source.documentUri).path.split('/').pop() ?? 'candidate';
  const shown = scheme === INLINE_SCHEME ? `iteration ${iteration} · ${fileName}` : fileName;
  return vscode.Uri.from({ scheme, path: `/${record.view.id}/${iteration}/${candidate}/${shown}` });
}

/** The iteration a candidate or inline-view document shows, from its URI. */
export function parseCandidateUri(uri: vscode.Uri): CandidateRef | undefined {
  if (uri.scheme !== CANDIDATE_SCHEME && uri.scheme !== INLINE_SCHEME) return undefined;
  const [, runId, iteration, candidate] = uri.path.split('/');
  const it = Number(iteration);
  const k = Number(candidate);
  if (!runId || !Number.isInteger(it) || !Number.isInteger(k)) return undefined;
  return { runId, iteration: it, candidate: k };
}

/** The candidate applied to the document's current text, or why it cannot be. */
export type CandidateText =
  | { readonly kind: 'ok'; readonly document: vscode.TextDocument; readonly text: string }
  | { readonly kind: 'missing'; readonly message: string };

export async function candidateText(tracker: RunTracker, ref: CandidateRef): Promise<CandidateText> {
  const record = tracker.get(ref.runId);
  if (!record) return { kind: 'missing', message: 'That run is no longer stored.' };
  const stored = findCandidate(record, ref.iteration, ref.candidate);
  if (!stored)
    return { kind: 'missing', message: `Iteration ${ref.iteration} has no code for candidate ${ref.candidate}.` };
  let document: vscode.TextDocument;
  try {
    document = await vscode.workspace.openTextDocument(vscode.Uri.parse(record.source.documentUri));
  } catch {
    return { kind: 'missing', message: `${record.view.fileLabel} cannot be opened any more.` };
  }
  const text = document.getText();
  const location = locateFunction(languageOf(record.source.language), text, record.source.target);
  if (!location)
    return { kind: 'missing', message: `${record.source.target} is no longer in ${record.view.fileLabel}.` };
  return {
    kind: 'ok',
    document,
    text: planCandidateEdits(languageOf(record.source.language), text, location, stored).result,
  };
}

export class CandidateDocuments implements vscode.TextDocumentContentProvider {
  static register(tracker: RunTracker): vscode.Disposable {
    const provider = new CandidateDocuments(tracker);
    return vscode.Disposable.from(
      vscode.workspace.registerTextDocumentContentProvider(CANDIDATE_SCHEME, provider),
      // The candidate view follows the user's edits of the real document.
      vscode.workspace.onDidChangeTextDocument((event) => provider.refresh(event.document.uri)),
      provider.changed,
    );
  }

  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  private constructor(private readonly tracker: RunTracker) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = uri.scheme === CANDIDATE_SCHEME ? parseCandidateUri(uri) : undefined;
    if (!ref) return '';
    const result = await candidateText(this.tracker, ref);
    return result.kind === 'ok' ? result.text : `// ${result.message}\n`;
  }

  private refresh(documentUri: vscode.Uri): void {
    for (const uri of viewsOf(this.tracker, documentUri, CANDIDATE_SCHEME)) this.changed.fire(uri);
  }
}

/** The open documents of `scheme` that show a candidate for the real document `documentUri`. */
export function viewsOf(tracker: RunTracker, documentUri: vscode.Uri, scheme: RefScheme): vscode.Uri[] {
  if (documentUri.scheme === CANDIDATE_SCHEME || documentUri.scheme === INLINE_SCHEME) return [];
  const source = documentUri.toString();
  return vscode.workspace.textDocuments
    .map((doc) => doc.uri)
    .filter((uri) => {
      if (uri.scheme !== scheme) return false;
      const ref = parseCandidateUri(uri);
      return ref !== undefined && tracker.get(ref.runId)?.source.documentUri === source;
    });
}
