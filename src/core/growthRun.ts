/**
 * Growth with input size, measured in the sandbox: how a version's time and memory grow with
 * `afterburner_inputs(size)`. One implementation for `afterburner profile --sizes`, the
 * extension's profile, and the original-vs-best comparison after an optimisation (CLI and panel).
 * Outside the loop on purpose: it is evidence for people, not for the acceptance rule.
 */
import type { Sandbox, SandboxJob, SandboxResult, SourceFile } from './sandboxTypes';
import { errorMessage } from './errorMessage';
import { growthExplanation } from './explanation';
import { Cancelled, runInSandbox } from './sandboxRun';

/** Sizes when the user names none: wide enough for a class fit, small enough for a few seconds. */
export const DEFAULT_GROWTH_SIZES: readonly number[] = [100, 300, 1000, 3000, 10000];

export interface SizedProfile {
  /** The profile (with sizes when that run passed or failed, else from a second run without them). */
  readonly profile: SandboxResult;
  /** The run that measured the sizes; undefined when the tests failed, so growth says nothing. */
  readonly growth?: SandboxResult;
}

/**
 * A profile that also measures `sizes` in the same run. A size past the time or memory limit (or
 * a generator that threw, for the Node harness) stops that whole run: the function is profiled
 * again without sizes, and the sized run is kept as the growth result so its failure is shown.
 */
export async function profileWithSizes(
  sandbox: Sandbox,
  job: SandboxJob,
  sizes: readonly number[],
  signal?: AbortSignal,
): Promise<SizedProfile> {
  const withSizes = await runInSandbox(sandbox, { ...job, measure: { ...job.measure, sizes } }, signal);
  if (withSizes.kind === 'passed') return { profile: withSizes, growth: withSizes };
  if (withSizes.kind === 'failed') return { profile: withSizes };
  const plain = await runInSandbox(sandbox, job, signal);
  return plain.kind === 'passed' ? { profile: plain, growth: withSizes } : { profile: plain };
}

export interface GrowthVersion<V extends string = string> {
  readonly version: V;
  /** "Original", "Iteration 2". */
  readonly label: string;
  readonly moduleText: string;
}

export type GrowthStep<V extends string = string> =
  | { readonly kind: 'measured'; readonly version: V; readonly label: string; readonly result: SandboxResult }
  | { readonly kind: 'failed'; readonly version: V; readonly label: string; readonly message: string };

/**
 * Each version's module in place of `job`'s, one sandbox run at `sizes` each, in order. Stops
 * quietly on cancel; a sandbox that throws fails that version and the ones after it.
 */
export async function* measureGrowth<V extends string>(
  sandbox: Sandbox,
  job: SandboxJob,
  versions: readonly GrowthVersion<V>[],
  sizes: readonly number[],
  signal?: AbortSignal,
): AsyncGenerator<GrowthStep<V>> {
  for (const [k, v] of versions.entries()) {
    if (signal?.aborted) return;
    const files = job.files.map((f): SourceFile =>
      f.path === job.modulePath ? { path: f.path, content: v.moduleText } : f,
    );
    let result: SandboxResult;
    try {
      result = await runInSandbox(sandbox, { ...job, files, measure: { sizes } }, signal);
    } catch (error) {
      if (error instanceof Cancelled) return;
      const message = `Measurement stopped: ${errorMessage(error)}`;
      for (const rest of versions.slice(k)) yield { kind: 'failed', version: rest.version, label: rest.label, message };
      return;
    }
    yield { kind: 'measured', version: v.version, label: v.label, result };
  }
}

/** "time ≈ n² → n, …" from the original's and the best's growth runs, when both fit. */
export function growthChange(original: SandboxResult | undefined, best: SandboxResult | undefined): string | undefined {
  const points = (r: SandboxResult | undefined) => (r?.kind === 'passed' ? (r.measurement?.sizes ?? []) : []);
  return growthExplanation(points(original), points(best));
}
