/**
 * The language model a run uses, from the settings: an OpenAI-compatible endpoint (key from the
 * secret storage or the environment) or a VS Code chat model. A missing piece is a value with a
 * sentence and the fix, not an exception.
 */
import type * as vscode from 'vscode';
import type { CompletionResult, LanguageModel, ModelErrorKind } from '../core/modelTypes';
import { createOpenAiModel } from '../adapters/openaiModel';
import { selectVscodeLmModel } from '../adapters/vscodeLmModel';
import { readApiKey } from './apiKeyStore';
import type { Settings } from './configuration';

export type ModelProblem = 'no_key' | 'no_model' | 'no_vscode_model';

export type ModelSetup =
  | { readonly kind: 'ok'; readonly model: LanguageModel }
  | { readonly kind: 'problem'; readonly problem: ModelProblem; readonly message: string };

export async function setUpModel(settings: Settings, secrets: vscode.SecretStorage): Promise<ModelSetup> {
  if (settings.provider === 'vscode-lm') {
    const selection = await selectVscodeLmModel(settings.model);
    return selection.kind === 'ok'
      ? { kind: 'ok', model: selection.model }
      : { kind: 'problem', problem: 'no_vscode_model', message: selection.message };
  }
  if (settings.model === '') {
    return {
      kind: 'problem',
      problem: 'no_model',
      message: `No model is configured for ${settings.baseUrl}. Set afterburner.llm.model (e.g. gpt-4o-mini, or a model your server serves), or pick one with "Afterburner: Select model".`,
    };
  }
  const key = await readApiKey(secrets);
  if (!key && !isLocalEndpoint(settings.baseUrl)) {
    return {
      kind: 'problem',
      problem: 'no_key',
      message: `No API key for ${settings.baseUrl}. Set one with "Afterburner: Set API key" (or AFTERBURNER_API_KEY / OPENAI_API_KEY in the environment), or point afterburner.llm.baseUrl at a local server.`,
    };
  }
  return {
    kind: 'ok',
    model: createOpenAiModel({
      baseUrl: settings.baseUrl,
      model: settings.model,
      ...(key ? { apiKey: key.value } : {}),
    }),
  };
}

/** Servers on this machine (Ollama, LM Studio, vLLM) usually need no key. */
export function isLocalEndpoint(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return (
      host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '::1' || host.endsWith('.localhost')
    );
  } catch {
    return false;
  }
}

export interface ModelErrorRecord {
  readonly error: ModelErrorKind;
  readonly message: string;
}

/** Wraps a model so the caller can tell, after a run, whether (and how) the model failed. */
export function watchModelErrors(model: LanguageModel): {
  readonly model: LanguageModel;
  lastError(): ModelErrorRecord | undefined;
} {
  let last: ModelErrorRecord | undefined;
  return {
    model: {
      describe: () => model.describe(),
      complete: async (messages, options, signal): Promise<CompletionResult> => {
        const result = await model.complete(messages, options, signal);
        if (result.kind === 'error' && result.error !== 'cancelled')
          last = { error: result.error, message: result.message };
        return result;
      },
    },
    lastError: () => last,
  };
}
