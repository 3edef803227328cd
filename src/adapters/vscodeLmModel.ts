/**
 * The `LanguageModel` port over VS Code's Language Model API (`vscode.lm`), e.g. the user's
 * GitHub Copilot models. Errors are translated here, once, to the port's kinds.
 */
import * as vscode from 'vscode';
import type {
  ChatMessage,
  CompletionOptions,
  CompletionResult,
  LanguageModel,
  ModelErrorKind,
} from '../core/modelTypes';
import { errorMessage } from '../core/errorMessage';

export type LmSelection =
  { readonly kind: 'ok'; readonly model: LanguageModel } | { readonly kind: 'unavailable'; readonly message: string };

export interface LmModelInfo {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly vendor: string;
}

const NO_MODELS =
  'No chat model is offered through VS Code’s Language Model API. Install and sign in to GitHub Copilot (or another extension that provides chat models), or set afterburner.llm.provider to "openai-compatible".';

/** Every chat model VS Code offers right now (empty when none is installed or signed in). */
export async function listVscodeLmModels(): Promise<LmModelInfo[]> {
  const models = await vscode.lm.selectChatModels();
  return models.map((m) => ({ id: m.id, name: m.name, family: m.family, vendor: m.vendor }));
}

/** Picks the model whose id, then family, equals `configured`; with nothing configured, the first one offered. */
export async function selectVscodeLmModel(configured: string): Promise<LmSelection> {
  const wanted = configured.trim();
  let models: vscode.LanguageModelChat[];
  try {
    models = wanted === '' ? await vscode.lm.selectChatModels() : await vscode.lm.selectChatModels({ id: wanted });
    if (models.length === 0 && wanted !== '') models = await vscode.lm.selectChatModels({ family: wanted });
  } catch (error) {
    return { kind: 'unavailable', message: `VS Code's Language Model API did not answer: ${errorMessage(error)}` };
  }
  const chosen = models[0];
  if (chosen === undefined) {
    if (wanted === '') return { kind: 'unavailable', message: NO_MODELS };
    const offered = await listVscodeLmModels().catch(() => []);
    const list = offered.length === 0 ? 'none is offered' : `offered: ${offered.map((m) => m.id).join(', ')}`;
    return {
      kind: 'unavailable',
      message: `No VS Code chat model has the id or family "${wanted}" (${list}). Pick one with "Afterburner: Select model".`,
    };
  }
  return { kind: 'ok', model: createVscodeLmModel(chosen) };
}

export function createVscodeLmModel(chat: vscode.LanguageModelChat): LanguageModel {
  return {
    describe: () => `${chat.name} (${chat.vendor}, via VS Code)`,
    complete: (messages, options, signal) => complete(chat, messages, options, signal),
  };
}

async function complete(
  chat: vscode.LanguageModelChat,
  messages: readonly ChatMessage[],
  options: CompletionOptions,
  signal?: AbortSignal,
): Promise<CompletionResult> {
  if (signal?.aborted) return cancelled();
  const source = new vscode.CancellationTokenSource();
  const onAbort = (): void => source.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await chat.sendRequest(
      toLmMessages(messages),
      { justification: 'Afterburner asks the model for a faster version of the selected function.' },
      source.token,
    );
    let text = '';
    for await (const fragment of response.text) {
      text += fragment;
      options.onText?.(fragment);
    }
    if (signal?.aborted) return cancelled();
    return { kind: 'ok', text, model: chat.id };
  } catch (error) {
    if (signal?.aborted) return cancelled();
    const mapped = mapLmError(error);
    return { kind: 'error', error: mapped.error, message: mapped.message };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    source.dispose();
  }
}

/** The API has no system role: the system prompt goes first, as a user turn. */
function toLmMessages(messages: readonly ChatMessage[]): vscode.LanguageModelChatMessage[] {
  return messages.map((m) =>
    m.role === 'assistant'
      ? vscode.LanguageModelChatMessage.Assistant(m.content)
      : vscode.LanguageModelChatMessage.User(m.content),
  );
}

export function mapLmError(error: unknown): { error: ModelErrorKind; message: string } {
  if (error instanceof vscode.CancellationError) return { error: 'cancelled', message: 'The request was cancelled.' };
  if (error instanceof vscode.LanguageModelError) {
    switch (error.code) {
      case vscode.LanguageModelError.NoPermissions.name:
        return {
          error: 'auth',
          message: `VS Code did not give Afterburner access to the model (consent not given): ${error.message}. Run the command again and allow access.`,
        };
      case vscode.LanguageModelError.Blocked.name:
        return {
          error: 'rate_limit',
          message: `The model refused the request (quota or rate limit): ${error.message}`,
        };
      case vscode.LanguageModelError.NotFound.name:
        return { error: 'unavailable', message: `The model is no longer available: ${error.message}` };
      default:
        return { error: 'bad_request', message: `The model rejected the request (${error.code}): ${error.message}` };
    }
  }
  return { error: 'unavailable', message: `The model did not answer: ${errorMessage(error)}` };
}

function cancelled(): CompletionResult {
  return { kind: 'error', error: 'cancelled', message: 'The request was cancelled.' };
}
