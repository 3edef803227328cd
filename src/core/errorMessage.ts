/**
 * What to show of a thrown value. Anything can be thrown in JavaScript (strings, objects, undefined),
 * so every catch that reports goes through here instead of repeating the instanceof test.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The stack when there is one, for logs; the message otherwise. */
export function errorDetail(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
