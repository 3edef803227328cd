/**
 * A CLI verb's sandbox work with Ctrl-C wired to its abort signal: the run stops promptly, the
 * sandbox (warm containers included) is always disposed, and an interrupted run exits with 130 as
 * shells expect after SIGINT.
 */
import type { Sandbox } from '../core/sandboxTypes';

export const EXIT_INTERRUPTED = 130;

export async function runInterruptibly(
  sandbox: Sandbox,
  log: (line: string) => void,
  work: (signal: AbortSignal) => Promise<number>,
): Promise<number> {
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort(new Error('Interrupted.'));
  process.once('SIGINT', onInterrupt);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    log('cancelled.');
    return EXIT_INTERRUPTED;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await sandbox.dispose();
  }
}
