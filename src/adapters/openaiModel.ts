/**
 * The LanguageModel port over any OpenAI-compatible chat-completions endpoint, through the
 * `openai` SDK: OpenAI itself, Ollama (http://localhost:11434/v1), vLLM (http://HOST:8000/v1),
 * LM Studio (http://localhost:1234/v1), and Azure OpenAI.
 *
 * Azure OpenAI: use the deployment URL as the base URL,
 *   https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT?api-version=2024-10-21
 * The adapter sees the Azure host, moves `api-version` into the SDK's `defaultQuery` (default
 * 2024-10-21 when absent) and sends the key in the `api-key` header instead of `Authorization`.
 *
 * SDK errors are translated here, once, into auth | rate_limit | unavailable | bad_request |
 * cancelled, with a message that says what to do and never contains the key. Retries are ours
 * (the SDK's are off) so that a 429's Retry-After is honoured, bounded and cancellable.
 */
import OpenAI from 'openai';
import type {
  ChatMessage,
  CompletionOptions,
  CompletionResult,
  LanguageModel,
  ModelErrorKind,
} from '../core/modelTypes';
import { errorMessage } from '../core/errorMessage';

export interface OpenAiModelOptions {
  /** e.g. https://api.openai.com/v1 */
  readonly baseUrl: string;
  readonly model: string;
  /** Omitted for local servers that need none. */
  readonly apiKey?: string;
  /** Per request. Default 120 s. */
  readonly timeoutMs?: number;
  /** Retries after 429, 5xx and connection failures. Default 3. */
  readonly maxRetries?: number;
  /** A Retry-After longer than this is not waited for: the call returns rate_limit. Default 60 s. */
  readonly maxRetryWaitMs?: number;
  /** Stream when the caller passes `onText`. Default true. */
  readonly stream?: boolean;
  readonly defaultQuery?: Readonly<Record<string, string>>;
  readonly defaultHeaders?: Readonly<Record<string, string>>;
  /** Injected for tests of the retry pacing; defaults to a timer. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type ModelListResult =
  | { readonly kind: 'ok'; readonly models: readonly string[] }
  | { readonly kind: 'error'; readonly error: ModelErrorKind; readonly message: string };

export const AZURE_DEFAULT_API_VERSION = '2024-10-21';
const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_MAX_RETRY_WAIT_MS = 60_000;
/** Pause before retrying a 5xx or connection failure without a Retry-After. */
const BACKOFF_MS = [500, 2_000, 5_000, 10_000];
/** Local servers accept any key; the SDK insists on one. */
const NO_KEY = 'no-key';

interface ClientSettings {
  readonly baseURL: string;
  readonly apiKey: string;
  readonly defaultQuery?: Record<string, string>;
  readonly defaultHeaders?: Record<string, string>;
}

/** Base URL, key and headers for the SDK, with Azure's query and header conventions applied. */
export function clientSettings(
  options: Pick<OpenAiModelOptions, 'baseUrl' | 'apiKey' | 'defaultQuery' | 'defaultHeaders'>,
): ClientSettings {
  const url = new URL(options.baseUrl);
  const query: Record<string, string> = { ...options.defaultQuery };
  url.searchParams.forEach((value, key) => (query[key] = value));
  url.search = '';
  const headers: Record<string, string> = { ...options.defaultHeaders };
  const azure = /\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/i.test(url.hostname);
  if (azure) {
    query['api-version'] ??= AZURE_DEFAULT_API_VERSION;
    if (options.apiKey) headers['api-key'] = options.apiKey;
  }
  const baseURL = url.toString().replace(/\/+$/, '');
  return {
    baseURL,
    apiKey: options.apiKey || NO_KEY,
    ...(Object.keys(query).length > 0 ? { defaultQuery: query } : {}),
    ...(Object.keys(headers).length > 0 ? { defaultHeaders: headers } : {}),
  };
}

export class OpenAiModel implements LanguageModel {
  private readonly client: OpenAI;
  private readonly baseUrlForDisplay: string;

  constructor(private readonly options: OpenAiModelOptions) {
    const settings = clientSettings(options);
    this.baseUrlForDisplay = settings.baseURL;
    this.client = new OpenAI({
      ...settings,
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxRetries: 0,
    });
  }

  describe(): string {
    return `${this.options.model} at ${this.baseUrlForDisplay}`;
  }

  async complete(
    messages: readonly ChatMessage[],
    options: CompletionOptions,
    signal?: AbortSignal,
  ): Promise<CompletionResult> {
    const maxRetries = this.options.maxRetries ?? DEFAULT_MAX_RETRIES;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) return cancelled();
      const result = await this.once(messages, options, signal);
      if (result.kind === 'ok' || attempt >= maxRetries || !retryable(result)) return result;
      const waitMs = result.retryAfterMs ?? BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] ?? 1_000;
      if (waitMs > (this.options.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS)) return result;
      try {
        await (this.options.sleep ?? sleep)(waitMs, signal);
      } catch {
        return cancelled();
      }
    }
  }

  async listModels(signal?: AbortSignal): Promise<ModelListResult> {
    try {
      const ids: string[] = [];
      for await (const model of this.client.models.list({ signal: signal ?? null })) ids.push(model.id);
      return { kind: 'ok', models: ids };
    } catch (error) {
      const mapped = this.mapError(error, signal);
      return { kind: 'error', error: mapped.error, message: mapped.message };
    }
  }

  private async once(
    messages: readonly ChatMessage[],
    options: CompletionOptions,
    signal?: AbortSignal,
  ): Promise<CompletionResult> {
    const body = {
      model: this.options.model,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
    };
    const requestOptions = { signal: signal ?? null };
    try {
      if (options.onText && this.options.stream !== false) {
        const stream = await this.client.chat.completions.create({ ...body, stream: true }, requestOptions);
        let text = '';
        let model = this.options.model;
        for await (const chunk of stream) {
          model = chunk.model || model;
          const fragment = chunk.choices[0]?.delta?.content ?? '';
          if (fragment) {
            text += fragment;
            options.onText(fragment);
          }
        }
        return { kind: 'ok', text, model };
      }
      const response = await this.client.chat.completions.create({ ...body, stream: false }, requestOptions);
      const text = response.choices[0]?.message?.content ?? '';
      options.onText?.(text);
      return {
        kind: 'ok',
        text,
        model: response.model || this.options.model,
        ...(response.usage
          ? {
              usage: { promptTokens: response.usage.prompt_tokens, completionTokens: response.usage.completion_tokens },
            }
          : {}),
      };
    } catch (error) {
      return this.mapError(error, signal);
    }
  }

  /** The one place SDK errors become port errors. */
  private mapError(error: unknown, signal?: AbortSignal): Extract<CompletionResult, { kind: 'error' }> {
    const where = this.baseUrlForDisplay;
    if (signal?.aborted || error instanceof OpenAI.APIUserAbortError) return cancelled();
    if (error instanceof OpenAI.APIConnectionTimeoutError) {
      const seconds = Math.round((this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000);
      return {
        kind: 'error',
        error: 'unavailable',
        message: `The model endpoint ${where} did not answer within ${seconds} s. Try again, or raise the timeout.`,
      };
    }
    if (error instanceof OpenAI.APIConnectionError) {
      const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
      return {
        kind: 'error',
        error: 'unavailable',
        message: this.scrub(
          `Could not reach the model endpoint ${where}${cause}. Check the base URL and that the server is running.`,
        ),
      };
    }
    if (error instanceof OpenAI.APIError) {
      const status = error.status;
      const detail = this.scrub(serverMessage(error));
      if (status === 401 || status === 403) {
        return {
          kind: 'error',
          error: 'auth',
          message: `The model endpoint ${where} refused the API key (HTTP ${status})${detail ? `: ${detail}` : ''}. Set a valid key in AFTERBURNER_API_KEY or OPENAI_API_KEY (in VS Code: "Afterburner: Set API key").`,
        };
      }
      if (status === 429) {
        const retryAfterMs = retryAfter(error.headers);
        const wait = retryAfterMs !== undefined ? ` and asked to wait ${Math.ceil(retryAfterMs / 1000)} s` : '';
        return {
          kind: 'error',
          error: 'rate_limit',
          message: `The model endpoint ${where} is rate-limiting requests (HTTP 429)${wait}${detail ? `: ${detail}` : ''}. Try again later or ask for fewer candidates.`,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        };
      }
      if (status === 404) {
        return {
          kind: 'error',
          error: 'bad_request',
          message: `The model endpoint ${where} has no model "${this.options.model}" or no chat-completions route (HTTP 404)${detail ? `: ${detail}` : ''}. Check the model name and that the base URL ends with /v1 (or the Azure deployment path).`,
        };
      }
      if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 409) {
        return {
          kind: 'error',
          error: 'bad_request',
          message: `The model endpoint ${where} rejected the request (HTTP ${status})${detail ? `: ${detail}` : ''}.`,
        };
      }
      const retryAfterMs = retryAfter(error.headers);
      return {
        kind: 'error',
        error: 'unavailable',
        message: `The model endpoint ${where} failed (HTTP ${status ?? 'error'})${detail ? `: ${detail}` : ''}. Try again later.`,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    return {
      kind: 'error',
      error: 'unavailable',
      message: this.scrub(`The model call to ${where} failed: ${errorMessage(error)}`),
    };
  }

  /** Servers sometimes echo the key (or part of it) in error messages. */
  private scrub(text: string): string {
    let out = text;
    const key = this.options.apiKey;
    if (key && key.length >= 4) out = out.split(key).join('[key]');
    return out.replace(/\b(sk|key)-[A-Za-z0-9_*.-]{6,}/g, '[key]');
  }
}

export function createOpenAiModel(options: OpenAiModelOptions): OpenAiModel {
  return new OpenAiModel(options);
}

function cancelled(): Extract<CompletionResult, { kind: 'error' }> {
  return { kind: 'error', error: 'cancelled', message: 'The model call was cancelled.' };
}

function retryable(result: Extract<CompletionResult, { kind: 'error' }>): boolean {
  return result.error === 'rate_limit' || result.error === 'unavailable';
}

function serverMessage(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: unknown } | undefined;
  const text = typeof body?.message === 'string' ? body.message : '';
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** Retry-After in seconds or as an HTTP date; OpenAI also sends retry-after-ms. */
function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('cancelled'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
