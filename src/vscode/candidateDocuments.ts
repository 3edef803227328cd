/**
 * Read-only virtual documents `afterburner-candidate:/<run>/<iteration>/<candidate>/<file name>`:
 * the user's document as it is now with the function replaced by a candidate. The diff editor
 * shows one next to the real document; the real document is untouched until Accept.
 */
import * as vscode from 'vscode';
import { planCandidateEdits } from '../core/diffModel';
import { findCandidate, type RunRecord } from '../core/panelState';
import { locateFunction } from '../core/functionLocator';
import type { RunTracker } from './runTracker';

export const CANDIDATE_SCHEME = 'afterburner-candidate';

export interface CandidateRef {
  readonly runId: string;
  readonly iteration: number;
  readonly candidate: number;
}

export function candidateUri(record: RunRecord, iteration: number, candidate: number): vscode.Uri {
  const fileName = vscode.Uri.parse(record.source.documentUri).path.split('/').pop() ?? 'candidate';
  return vscode.Uri.from({ scheme: CANDIDATE_SCHEME, path: `/${record.view.id}/${iteration}/${candidate}/${fileName}` });
}

export function parseCandidateUri(uri: vscode.Uri): CandidateRef | undefined {
  if (uri.scheme !== CANDIDATE_SCHEME) return undefined;
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
  if (!stored) return { kind: 'missing', message: `Iteration ${ref.iteration} has no code for candidate ${ref.candidate}.` };
  let document: vscode.TextDocument;
  try {
    document = await vscode.workspace.openTextDocument(vscode.Uri.parse(record.source.documentUri));
  } catch {
    return { kind: 'missing', message: `${record.view.fileLabel} cannot be opened any more.` };
  }
  const text = document.getText();
  const location = locateFunction(record.source.language, text, record.source.target);
  if (!location) return { kind: 'missing', message: `${record.source.target} is no longer in ${record.view.fileLabel}.` };
  return { kind: 'ok', document, text: planCandidateEdits(record.source.language, text, location, stored).result };
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
    const ref = parseCandidateUri(uri);
    if (!ref) return '';
    const result = await candidateText(this.tracker, ref);
    return result.kind === 'ok' ? result.text : `// ${result.message}\n`;
  }

  private refresh(documentUri: vscode.Uri): void {
    if (documentUri.scheme === CANDIDATE_SCHEME) return;
    const source = documentUri.toString();
    for (const doc of vscode.workspace.textDocuments) {
      const ref = parseCandidateUri(doc.uri);
      if (ref && this.tracker.get(ref.runId)?.source.documentUri === source) this.changed.fire(doc.uri);
    }
  }
}
