/**
 * "Afterburner: Select model": the chat models VS Code offers (provider vscode-lm), or the
 * endpoint's /models list (OpenAI-compatible), into afterburner.llm.model.
 */
import * as vscode from 'vscode';
import { createOpenAiModel } from '../adapters/openaiModel';
import { listVscodeLmModels } from '../adapters/vscodeLmModel';
import { readApiKey } from './apiKeyStore';
import { openSettings, readSettings, updateSetting } from './configuration';

const TYPE_NAME = '$(edit) Enter a model name…';

export function registerModelPicker(secrets: vscode.SecretStorage, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand('afterburner.selectModel', async () => {
    const settings = readSettings();
    const names =
      settings.provider === 'vscode-lm' ? await vscodeModels() : await endpointModels(settings.baseUrl, secrets, log);
    if (names === undefined) return;
    const items: vscode.QuickPickItem[] = [
      ...names.map((n) => ({ label: n.id, description: n.detail, picked: n.id === settings.model })),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: TYPE_NAME },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title:
        settings.provider === 'vscode-lm'
          ? 'Afterburner: VS Code chat model'
          : `Afterburner: model at ${settings.baseUrl}`,
      placeHolder: names.length === 0 ? 'No models listed; enter a name' : `Current: ${settings.model || 'none'}`,
      ignoreFocusOut: true,
    });
    if (!picked) return;
    const model =
      picked.label === TYPE_NAME
        ? await vscode.window.showInputBox({
            title: 'Afterburner: model name',
            value: settings.model,
            ignoreFocusOut: true,
          })
        : picked.label;
    if (model === undefined || model.trim() === '') return;
    await updateSetting('llm.model', model.trim());
    log.info(`Model set to ${model.trim()} (${settings.provider}).`);
    void vscode.window.showInformationMessage(`Afterburner: model set to ${model.trim()}.`);
  });
}

interface ModelName {
  readonly id: string;
  readonly detail?: string;
}

async function vscodeModels(): Promise<ModelName[] | undefined> {
  const models = await listVscodeLmModels().catch(() => []);
  if (models.length === 0) {
    const choice = await vscode.window.showWarningMessage(
      'Afterburner: VS Code offers no chat model. Install and sign in to GitHub Copilot (or another model provider), or use an OpenAI-compatible endpoint.',
      'Use an OpenAI-compatible endpoint',
    );
    if (choice) {
      await updateSetting('llm.provider', 'openai-compatible');
      await openSettings('afterburner.llm');
    }
    return undefined;
  }
  return models.map((m) => ({ id: m.id, detail: `${m.name} · ${m.vendor} · family ${m.family}` }));
}

async function endpointModels(
  baseUrl: string,
  secrets: vscode.SecretStorage,
  log: vscode.LogOutputChannel,
): Promise<ModelName[] | undefined> {
  const key = await readApiKey(secrets);
  const client = createOpenAiModel({
    baseUrl,
    model: 'list',
    ...(key ? { apiKey: key.value } : {}),
    maxRetries: 0,
    timeoutMs: 15_000,
  });
  const listed = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Afterburner: listing models at ${baseUrl}…` },
    () => client.listModels(),
  );
  if (listed.kind === 'ok') return [...listed.models].sort().map((id) => ({ id }));
  log.warn(`Listing models at ${baseUrl} failed (${listed.error}): ${listed.message}`);
  const actions = listed.error === 'auth' ? ['Set API key', 'Enter a name'] : ['Open settings', 'Enter a name'];
  const choice = await vscode.window.showWarningMessage(
    `Afterburner: could not list the models at ${baseUrl}: ${listed.message}`,
    ...actions,
  );
  if (choice === 'Set API key') await vscode.commands.executeCommand('afterburner.setApiKey');
  if (choice === 'Open settings') await openSettings('afterburner.llm');
  return choice === 'Enter a name' ? [] : undefined;
}
