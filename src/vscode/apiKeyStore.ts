/**
 * The model API key: VS Code's SecretStorage first, then AFTERBURNER_API_KEY / OPENAI_API_KEY
 * from the extension host's environment (remote and container setups). The key is handed to the
 * model adapter only: never to a sandbox, a log line or the webview.
 */
import * as vscode from 'vscode';

const SECRET_ID = 'afterburner.apiKey';

export type ApiKeySource = 'secret storage' | 'AFTERBURNER_API_KEY' | 'OPENAI_API_KEY';

export interface ApiKey {
  readonly value: string;
  readonly source: ApiKeySource;
}

export async function readApiKey(secrets: vscode.SecretStorage): Promise<ApiKey | undefined> {
  const stored = (await secrets.get(SECRET_ID))?.trim();
  if (stored) return { value: stored, source: 'secret storage' };
  for (const name of ['AFTERBURNER_API_KEY', 'OPENAI_API_KEY'] as const) {
    const value = process.env[name]?.trim();
    if (value) return { value, source: name };
  }
  return undefined;
}

export function registerApiKeyCommand(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  return vscode.commands.registerCommand('afterburner.setApiKey', async () => {
    const existing = await context.secrets.get(SECRET_ID);
    const value = await vscode.window.showInputBox({
      title: 'Afterburner: API key',
      prompt: existing
        ? 'A key is stored. Enter a new key to replace it, or leave empty and press Enter to remove it.'
        : 'API key of your OpenAI-compatible endpoint. Stored in VS Code’s secret storage, never sent to the sandbox.',
      password: true,
      ignoreFocusOut: true,
      placeHolder: 'sk-…',
    });
    if (value === undefined) return;
    if (value.trim() === '') {
      if (existing) {
        await context.secrets.delete(SECRET_ID);
        log.info('API key removed from secret storage.');
        void vscode.window.showInformationMessage('Afterburner: API key removed.');
      }
      return;
    }
    await context.secrets.store(SECRET_ID, value.trim());
    log.info('API key stored in secret storage.');
    void vscode.window.showInformationMessage('Afterburner: API key stored.');
  });
}
