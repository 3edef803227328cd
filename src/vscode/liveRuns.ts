/** The runs in progress, each with its own AbortController, so any of them (or all) can be cancelled. */

/** How long deactivation waits for runs to notice the cancel before the sandboxes are disposed. */
const SHUTDOWN_GRACE_MS = 3000;

export class LiveRuns {
  private readonly live = new Map<string, { controller: AbortController; done: Promise<void> }>();

  /** Registers `runId` for the duration of `work`, which gets the run's signal. */
  async run<T>(runId: string, work: (controller: AbortController) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let finish: () => void = () => undefined;
    this.live.set(runId, { controller, done: new Promise<void>((resolve) => (finish = resolve)) });
    try {
      return await work(controller);
    } finally {
      this.live.delete(runId);
      finish();
    }
  }

  /** Cancels one run, or every live run. */
  cancel(runId?: string): void {
    for (const [id, run] of this.live) if (runId === undefined || id === runId) run.controller.abort();
  }

  /** Cancels every live run and waits briefly for them to stop. */
  async settle(): Promise<void> {
    this.cancel();
    const pending = [...this.live.values()].map((r) => r.done);
    await Promise.race([Promise.allSettled(pending), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS))]);
  }
}
