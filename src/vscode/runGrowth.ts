/**
 * Growth with input size in the extension: which sizes (setting + an input generator beside the
 * tests), the profile that measures them, and the original-vs-best comparison after an
 * optimisation, each fed to the tracker as growth actions. The measuring is core's (growthRun.ts).
 */
import * as vscode from 'vscode';
import { errorMessage } from '../core/errorMessage';
import { measureGrowth, profileWithSizes, type GrowthVersion } from '../core/growthRun';
import { findInputGenerator } from '../core/inputGenerator';
import type { BestSoFar, LoopEvent } from '../core/loopTypes';
import type { LiveRuns } from './liveRuns';
import { profileJob, type Prepared } from './runPreparation';
import type { RunTracker } from './runTracker';
import { languageOf } from '../languages/registry';

export interface GrowthDeps {
  readonly tracker: RunTracker;
  readonly live: LiveRuns;
  readonly log: vscode.LogOutputChannel;
}

/**
 * The input sizes to measure this function at, or undefined (with a log line) when growth is off
 * or no `afterburner_inputs(size)` is in the tests or beside them.
 */
export function growthSizes(p: Prepared, log: vscode.LogOutputChannel): readonly number[] | undefined {
  const sizes = p.settings.profileSizes;
  if (sizes.length === 0) {
    log.info('afterburner.profile.sizes is empty: growth with input size is not measured.');
    return undefined;
  }
  const generator = findInputGenerator({
    language: languageOf(p.target.language),
    files: p.job.files,
    modulePath: p.job.modulePath,
    testPaths: p.job.testPaths,
  });
  if (generator.kind === 'none') {
    log.info(
      `No afterburner_inputs(size) in the tests of ${p.target.name} or beside them: growth with input size is not measured ("Afterburner: Propose input generator" can write one).`,
    );
    return undefined;
  }
  log.info(`Input generator afterburner_inputs in ${generator.path}: measuring at sizes ${sizes.join(', ')}.`);
  return sizes;
}

/** The events of "Profile function": with sizes, measured in the same sandbox run as the profile. */
export function profileEvents(
  deps: GrowthDeps,
  p: Prepared,
  runId: string,
  sizes: readonly number[] | undefined,
): (signal: AbortSignal) => AsyncGenerator<LoopEvent> {
  const { tracker } = deps;
  const job = profileJob(p);
  return async function* (signal) {
    const described = p.sandbox.describe();
    yield { type: 'started', sandbox: described.sandbox, isolation: described.isolation, model: '', goal: 'time' };
    if (!sizes) {
      yield { type: 'baseline', result: await p.sandbox.run(job, signal) };
      return;
    }
    tracker.applyGrowth(runId, {
      type: 'growthStarted',
      sizes,
      versions: [{ version: 'original', label: 'Original' }],
    });
    const { profile, growth } = await profileWithSizes(p.sandbox, job, sizes, signal);
    yield { type: 'baseline', result: profile };
    tracker.applyGrowth(
      runId,
      growth ? { type: 'growthMeasured', version: 'original', result: growth } : { type: 'growthDropped' },
    );
  };
}

/**
 * After an improved optimisation: the original and the best module, each in one more sandbox
 * run with the input generator's sizes, so the panel draws both on the same size axis.
 * Cancellable like a run.
 */
export async function measureBestGrowth(deps: GrowthDeps, p: Prepared, runId: string, best: BestSoFar): Promise<void> {
  const sizes = growthSizes(p, deps.log);
  if (!sizes) return;
  const { tracker, log } = deps;
  const originalText = p.job.files.find((f) => f.path === p.job.modulePath)?.content;
  const versions: GrowthVersion<'original' | 'best'>[] = [
    ...(originalText === undefined
      ? []
      : [{ version: 'original' as const, label: 'Original', moduleText: originalText }]),
    { version: 'best', label: `Iteration ${best.iteration}`, moduleText: best.moduleText },
  ];
  tracker.applyGrowth(runId, { type: 'growthStarted', sizes, versions });
  if (originalText === undefined)
    tracker.applyGrowth(runId, {
      type: 'growthFailed',
      version: 'original',
      message: 'The module text of this version is not available.',
    });
  await deps.live.run(runId, async (controller) => {
    try {
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Afterburner: measuring how ${p.target.name} grows with input size`,
          cancellable: true,
        },
        async (progress, token) => {
          const onCancel = token.onCancellationRequested(() => controller.abort());
          try {
            progress.report({ message: `sizes ${sizes.join(', ')}…` });
            for await (const step of measureGrowth(p.sandbox, profileJob(p), versions, sizes, controller.signal)) {
              if (step.kind === 'failed') {
                tracker.applyGrowth(runId, { type: 'growthFailed', version: step.version, message: step.message });
                continue;
              }
              log.info(`[${runId}] growth of ${step.label.toLowerCase()}: ${step.result.kind}`);
              tracker.applyGrowth(runId, { type: 'growthMeasured', version: step.version, result: step.result });
            }
          } finally {
            onCancel.dispose();
          }
        },
      );
    } catch (error) {
      log.error(`[${runId}] growth measurement stopped: ${errorMessage(error)}`);
    } finally {
      tracker.applyGrowth(runId, { type: 'growthEnded', outcome: controller.signal.aborted ? 'cancelled' : 'done' });
    }
  });
  const growth = tracker.get(runId)?.view.growth;
  if (growth) log.info(`[${runId}] growth: ${growth.summary}`);
}
