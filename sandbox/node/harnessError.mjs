/** A problem with the job or the user's code that the user can act on; its message says how. */
export class HarnessError extends Error {}

/** Heap exhaustion the harness can see before the process dies. */
export class MemoryLimitError extends Error {}

const MEMORY_MESSAGES =
  /Array buffer allocation failed|Invalid array length|Invalid typed array length|allocation failed.*heap/i;

export function isMemoryExhaustion(e) {
  return e instanceof RangeError && MEMORY_MESSAGES.test(e.message);
}
