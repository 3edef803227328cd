/**
 * The message a finished run ends with: what happened, in words, and the next step as buttons
 * (Show diff, Accept, Open test, Set API key, Use local sandbox…).
 */
import * as vscode from 'vscode';
import type { RunRecord } from '../panel/panelState';
import { formatMs } from '../shared/format';
import { openSettings, readSettings, updateSetting } from './configuration';
import type { InlineDiffController } from './inlineDiffController';
import { bestOffered } from './inlineDiffController';
import type { ModelErrorRecord } from './modelSetup';
import type { RunKind } from './runPreparation';

export class RunMessages {
  constructor(
    private readonly diffs: InlineDiffController,
    private readonly log: vscode.LogOutputChannel,
    private readonly openTests: (runId: string) => Promise<void>,
  ) {}

  async optimized(record: RunRecord, modelError: ModelErrorRecord | undefined): Promise<void> {
    const view = record.view;
    const name = view.functionName;
    switch (view.phase) {
      case 'improved': {
        const offer = bestOffered(record);
        const best = view.best;
        const choice = await vscode.window.showInformationMessage(
          `Afterburner: ${name} — iteration ${best?.iteration ?? '?'} against the original: ${best?.changeWords ?? 'faster'} (${formatMs(best?.medianMs ?? NaN)} median). Review it before accepting.`,
          ...(offer ? ['Show diff', 'Accept'] : []),
          'Open panel',
        );
        if (choice === 'Show diff' && offer) await this.diffs.showDiff(offer.runId, offer.iteration, offer.candidate);
        if (choice === 'Accept' && offer) await this.diffs.accept(offer.runId, offer.iteration, offer.candidate);
        if (choice === 'Open panel') await vscode.commands.executeCommand('afterburner.showPanel');
        return;
      }
      case 'no_improvement':
        if (modelError && view.iterations.every((it) => it.candidates.every((c) => c.status === 'model_error')))
          return this.modelFailed(modelError);
        return void vscode.window
          .showInformationMessage(`Afterburner: ${name} — ${view.message}`, 'Open panel')
          .then((c) => c && vscode.commands.executeCommand('afterburner.showPanel'));
      case 'cancelled':
        return void vscode.window.showInformationMessage(`Afterburner: the run on ${name} was cancelled.`);
      case 'failed':
        if (view.baseline && view.baseline.status !== 'passed') return this.originalFailed(record);
        if (modelError) return this.modelFailed(modelError);
        return void this.errorWithLog(`Afterburner: ${name} — ${view.message}`);
      default:
        return;
    }
  }

  async profiled(record: RunRecord): Promise<void> {
    const view = record.view;
    if (view.phase === 'cancelled')
      return void vscode.window.showInformationMessage(`Afterburner: profiling ${view.functionName} was cancelled.`);
    if (view.baseline && view.baseline.status !== 'passed') return this.originalFailed(record);
    if (view.phase !== 'profiled') return void this.errorWithLog(`Afterburner: ${view.functionName} — ${view.message}`);
    const m = view.baseline?.measure;
    const growth = view.growth?.series.some((s) => s.kind === 'measured') ? ` Growth: ${view.growth.summary}.` : '';
    void vscode.window.showInformationMessage(
      m
        ? `Afterburner: ${view.functionName} — ${formatMs(m.medianMs)} median per replay of the recorded calls (CV ${(m.cv * 100).toFixed(1)} %), ${m.memoryUnmeasured ? 'memory not measured' : `peak ${Math.round(m.peakMemoryKb)} kB`}.${growth}`
        : `Afterburner: ${view.functionName} — ${view.message}`,
    );
  }

  /** The Docker sandbox is not available: offer the local one, which works without Docker. */
  async noSandbox(message: string, kind: RunKind): Promise<void> {
    const choice = await vscode.window.showErrorMessage(
      `Afterburner: the Docker sandbox is not available. ${message} The local sandbox (an isolated child process) works without Docker.`,
      'Use local sandbox',
      'Open settings',
    );
    if (choice === 'Use local sandbox') {
      await updateSetting('sandbox.backend', 'local');
      await vscode.commands.executeCommand(kind === 'profile' ? 'afterburner.profile' : 'afterburner.optimize');
    }
    if (choice === 'Open settings') await openSettings('afterburner.sandbox');
  }

  async modelProblem(message: string, actions: string[]): Promise<void> {
    const choice = await vscode.window.showErrorMessage(
      message.startsWith('Afterburner') ? message : `Afterburner: ${message}`,
      ...actions,
    );
    if (choice === 'Set API key') await vscode.commands.executeCommand('afterburner.setApiKey');
    if (choice === 'Select model') await vscode.commands.executeCommand('afterburner.selectModel');
    if (choice === 'Open settings') await openSettings('afterburner.llm');
  }

  async errorWithLog(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, 'Show output');
    if (choice) this.log.show(true);
  }

  /** Tests fail (or time out, crash) on the code as written: show the first failure and offer the test. */
  private async originalFailed(record: RunRecord): Promise<void> {
    const base = record.view.baseline;
    const first = base?.failures[0];
    const detail = first ? ` First failure: ${first.test}: ${first.message.split('\n')[0]?.slice(0, 200) ?? ''}` : '';
    const choice = await vscode.window.showErrorMessage(
      `Afterburner: ${base?.message ?? record.view.message}${detail}`,
      'Open test',
      'Show output',
    );
    if (choice === 'Open test') await this.openTests(record.view.id);
    if (choice === 'Show output') this.log.show(true);
  }

  private async modelFailed(error: ModelErrorRecord): Promise<void> {
    const settings = readSettings();
    const where = settings.provider === 'vscode-lm' ? 'the VS Code chat model' : settings.baseUrl;
    switch (error.error) {
      case 'auth':
        return this.modelProblem(
          `Afterburner: ${where} refused the credentials (401/403): ${error.message}`,
          settings.provider === 'vscode-lm' ? ['Select model'] : ['Set API key', 'Open settings'],
        );
      case 'rate_limit':
        return this.modelProblem(
          `Afterburner: ${where} is rate-limiting (429): ${error.message} Try again later, or lower afterburner.optimize.candidates.`,
          ['Open settings'],
        );
      case 'unavailable':
        return this.modelProblem(`Afterburner: cannot reach ${where}: ${error.message}`, [
          'Open settings',
          'Select model',
        ]);
      case 'bad_request':
        return this.modelProblem(`Afterburner: ${where} rejected the request: ${error.message}`, [
          'Select model',
          'Open settings',
        ]);
      case 'cancelled':
        return;
    }
  }
}
