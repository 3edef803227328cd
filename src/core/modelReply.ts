/** Asking the model once, relaying its streamed text as it arrives. */
import type { ChatMessage, CompletionResult, LanguageModel } from './modelTypes';
import { errorMessage } from './errorMessage';

/**
 * Yields the reply's text fragments while the completion runs and returns the completion. The
 * port never throws, but a broken adapter must not take the loop down with it: a throw becomes
 * an `unavailable` error (or `cancelled` when the signal fired).
 */
export async function* streamReply(
  model: LanguageModel,
  messages: readonly ChatMessage[],
  temperature: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<string, CompletionResult> {
  const fragments: string[] = [];
  let wake: (() => void) | undefined;
  let reply: CompletionResult | undefined;
  void model
    .complete(
      messages,
      {
        temperature,
        onText: (fragment) => {
          fragments.push(fragment);
          wake?.();
        },
      },
      signal,
    )
    .catch((error: unknown): CompletionResult => ({
      kind: 'error',
      error: signal?.aborted ? 'cancelled' : 'unavailable',
      message: errorMessage(error),
    }))
    .then((result) => {
      reply = result;
      wake?.();
    });
  for (;;) {
    if (fragments.length > 0) {
      yield fragments.splice(0).join('');
      continue;
    }
    if (reply !== undefined) return reply;
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
}
