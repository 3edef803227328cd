/**
 * A run's events under a cancellable progress notification: each event goes to the tracker (the
 * panel fills live) and the log; the notification shows the panel's current message.
 */
import * as vscode from 'vscode';
import type { LoopEvent } from '../core/loopTypes';
import { errorDetail, errorMessage } from '../core/errorMessage';
import { changeWords } from '../core/changeWords';
import { formatMs } from '../shared/format';
import type { LiveRuns } from './liveRuns';
import type { RunTracker } from './runTracker';

export async function trackRun(
  deps: { readonly tracker: RunTracker; readonly live: LiveRuns; readonly log: vscode.LogOutputChannel },
  runId: string,
  title: string,
  events: (signal: AbortSignal) => AsyncIterable<LoopEvent>,
): Promise<void> {
  const { tracker, log } = deps;
  await deps.live.run(runId, async (controller) => {
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        async (progress, token) => {
          const onCancel = token.onCancellationRequested(() => controller.abort());
          try {
            for await (const event of events(controller.signal)) {
              tracker.apply(runId, event);
              if (event.type !== 'modelText') {
                log.info(`[${runId}] ${describeEvent(event)}`);
                progress.report({ message: tracker.get(runId)?.view.message ?? '' });
              }
            }
          } finally {
            onCancel.dispose();
          }
        },
      );
      if (controller.signal.aborted) tracker.end(runId, 'cancelled', 'Cancelled.');
      else tracker.end(runId, 'failed', 'The run ended without a result.');
    } catch (error) {
      if (controller.signal.aborted) tracker.end(runId, 'cancelled', 'Cancelled.');
      else {
        log.error(`[${runId}] ${errorDetail(error)}`);
        tracker.end(runId, 'failed', `The run stopped: ${errorMessage(error)}`);
      }
    }
  });
}

/** Passes events through while keeping a copy of each. */
export async function* recorded(events: AsyncIterable<LoopEvent>, into: LoopEvent[]): AsyncGenerator<LoopEvent> {
  for await (const event of events) {
    into.push(event);
    yield event;
  }
}

function describeEvent(event: LoopEvent): string {
  switch (event.type) {
    case 'started':
      return `started: sandbox ${event.sandbox} (${event.isolation})${event.model ? `, model ${event.model}` : ''}`;
    case 'baseline':
      return `baseline: ${event.result.kind}${event.result.kind === 'passed' && event.result.measurement ? `, median ${formatMs(event.result.measurement.runtimeMs.median)}` : ''} (${Math.round(event.result.wallMs)} ms in the sandbox)`;
    case 'iterationStarted':
      return `iteration ${event.iteration} started`;
    case 'modelText':
      return `model text (${event.text.length} chars)`;
    case 'candidateProposed':
      return `iteration ${event.iteration}, candidate ${event.index} proposed (${event.code.split('\n').length} lines)`;
    case 'candidateMeasured':
      return `iteration ${event.candidate.iteration}, candidate ${event.candidate.index}: ${event.candidate.status}; ${event.candidate.verdict.reason}`;
    case 'iterationDone':
      return `iteration ${event.iteration} done; best: ${event.best.iteration === 0 ? 'the original' : `iteration ${event.best.iteration} (${changeWords(event.best.speedup, event.best.memoryRatio)})`}`;
    case 'finished':
      return `finished: ${event.outcome} (${event.stop}); ${event.reason}`;
  }
}
