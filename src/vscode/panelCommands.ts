/** "Afterburner: Show panel" and "Afterburner: Open past run…" (the panel lists the same runs). */
import * as vscode from 'vscode';
import { changeWords } from '../core/changeWords';
import { PANEL_VIEW_ID } from './panelViewProvider';
import type { RunTracker } from './runTracker';

export function registerPanelCommands(tracker: RunTracker): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('afterburner.showPanel', () =>
      vscode.commands.executeCommand(`${PANEL_VIEW_ID}.focus`),
    ),
    vscode.commands.registerCommand('afterburner.openRun', async (runId?: unknown) => {
      let id = typeof runId === 'string' ? runId : undefined;
      if (id === undefined) {
        const runs = tracker.all();
        if (runs.length === 0)
          return void vscode.window.showInformationMessage('Afterburner: no runs in this workspace yet.');
        const picked = await vscode.window.showQuickPick(
          runs.map((r) => ({
            label: `${r.view.kind === 'profile' ? '$(pulse)' : '$(rocket)'} ${r.view.functionName}`,
            description: `${r.view.fileLabel} · ${new Date(r.view.startedAt).toLocaleString()}`,
            detail: `${r.view.phase}${r.view.best && r.view.best.iteration > 0 ? ` (${changeWords(r.view.best.speedup, r.view.best.memoryRatio)})` : ''}: ${r.view.message}`,
            id: r.view.id,
          })),
          { title: 'Afterburner: open a past run', matchOnDescription: true },
        );
        id = picked?.id;
      }
      if (id === undefined) return;
      if (!tracker.show(id)) return void vscode.window.showWarningMessage('Afterburner: that run is no longer stored.');
      await vscode.commands.executeCommand(`${PANEL_VIEW_ID}.focus`);
    }),
  );
}
