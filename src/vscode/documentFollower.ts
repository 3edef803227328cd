/**
 * Keeps each run's Applied marks true to the file: edits (an undo of Accept above all) are read
 * back into the tracker, which unmarks an iteration whose code the file no longer holds.
 */
import * as vscode from 'vscode';
import { locateFunction } from '../core/functionLocator';
import type { RunRecord } from '../panel/panelState';
import type { RunTracker } from './runTracker';
import { languageOf } from '../languages/registry';

/** Typing fires a change per keystroke; reading the function once the burst settles is enough. */
const SETTLE_MS = 150;

export function followDocuments(tracker: RunTracker): vscode.Disposable {
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const listener = vscode.workspace.onDidChangeTextDocument((event) => {
    const uri = event.document.uri.toString();
    if (!tracker.all().some((r) => r.source.documentUri === uri && r.appliedCode !== undefined)) return;
    clearTimeout(pending.get(uri));
    pending.set(
      uri,
      setTimeout(() => {
        pending.delete(uri);
        const text = event.document.getText();
        tracker.follow(uri, (record: RunRecord) => {
          const location = locateFunction(languageOf(record.source.language), text, record.source.target);
          return location ? text.slice(location.start, location.end) : undefined;
        });
      }, SETTLE_MS),
    );
  });
  return new vscode.Disposable(() => {
    listener.dispose();
    for (const timer of pending.values()) clearTimeout(timer);
  });
}
