/** Opt-in (setting or AFTERBURNER_HISTORY): measured attempts become training pairs for `afterburner export`. */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { appendRunHistory, historyPath } from '../adapters/runHistory';
import { errorMessage } from '../core/errorMessage';
import type { LoopEvent, OptimizeRequest } from '../core/loopTypes';
import { runHistoryRecord } from '../core/trainingPairs';
import type { Prepared } from './runPreparation';

export async function recordRunHistory(
  log: vscode.LogOutputChannel,
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
      runHistoryRecord(request, events, { id: randomUUID(), at: new Date().toISOString(), source: 'extension', model }),
    );
    log.info(`Run appended to ${file}.`);
  } catch (error) {
    log.warn(`Could not append the run to ${file}: ${errorMessage(error)}`);
  }
}
