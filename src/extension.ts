// Wiring only: each feature registers itself and returns its disposables.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Afterburner', { log: true });
  context.subscriptions.push(log);
}

export function deactivate(): void {}
