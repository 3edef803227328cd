/** A status bar item: the live run's progress, else the last measured runtime. Click opens the panel. */
import * as vscode from 'vscode';
import { formatMs } from '../shared/format';
import { speedWords } from '../core/changeWords';
import type { RunTracker } from './runTracker';

export function registerStatusBar(tracker: RunTracker): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('afterburner.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Afterburner';
  item.command = 'afterburner.showPanel';
  const update = (): void => {
    const records = tracker.all();
    const running = records.find((r) => r.view.phase === 'running');
    if (running) {
      const it = running.view.iterations.length;
      const planned = running.view.iterationsPlanned;
      item.text = `$(sync~spin) ${running.view.functionName}${running.view.kind === 'optimize' && it > 0 ? ` ${it}/${planned ?? '?'}` : ''}`;
      item.tooltip = `Afterburner: ${running.view.message}`;
      item.show();
      return;
    }
    const measured = records.find((r) => r.view.baseline?.measure !== undefined);
    const base = measured?.view.baseline?.measure;
    if (!measured || !base) {
      item.hide();
      return;
    }
    const best = measured.view.best && measured.view.best.iteration > 0 ? measured.view.best : undefined;
    item.text = `$(pulse) ${measured.view.functionName} ${formatMs(best?.medianMs ?? base.medianMs)}${best ? ` (${speedWords(best.speedup)})` : ''}`;
    item.tooltip = `Afterburner: ${measured.view.functionName} in ${measured.view.fileLabel}, median ${formatMs(base.medianMs)} originally${best ? `, ${formatMs(best.medianMs)} after iteration ${best.iteration}${best.changeWords ? ` (${best.changeWords})` : ''}` : ''}. Click to open the panel.`;
    item.show();
  };
  update();
  return vscode.Disposable.from(item, tracker.onDidChange(update));
}
