/** The language-model port. Adapters (openai SDK, vscode.lm) translate their errors once, here. */

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface CompletionOptions {
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** Called with each streamed text fragment when the adapter streams. */
  readonly onText?: (fragment: string) => void;
}

export type ModelErrorKind = 'auth' | 'rate_limit' | 'unavailable' | 'bad_request' | 'cancelled';

export type CompletionResult =
  | {
      readonly kind: 'ok';
      readonly text: string;
      readonly model: string;
      readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
    }
  | {
      readonly kind: 'error';
      readonly error: ModelErrorKind;
      readonly message: string;
      readonly retryAfterMs?: number;
    };

export interface LanguageModel {
  /** e.g. "gpt-4o-mini at http://localhost:11434/v1" — shown in the panel and CLI. */
  describe(): string;
  /** Never throws; a cancelled signal yields `{ kind: 'error', error: 'cancelled' }`. */
  complete(
    messages: readonly ChatMessage[],
    options: CompletionOptions,
    signal?: AbortSignal,
  ): Promise<CompletionResult>;
}
