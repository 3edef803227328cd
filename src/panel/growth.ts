/**
 * Empirical complexity for the panel: what one sandbox run with `measure.sizes` says about one
 * version of the function (its size → time and size → memory points and their fitted classes, or
 * why there are none), and the one-line summary over the original and the best candidate.
 */
import { describeComplexity, type ComplexityFit } from '../core/complexityFit';
import type { SandboxResult } from '../core/sandboxTypes';
import type { GrowthFit, GrowthSeries, GrowthVersion, GrowthView } from '../shared/protocol';

export interface GrowthSubject {
  readonly version: GrowthVersion;
  /** "Original", "Iteration 2". */
  readonly label: string;
}

/** The series one sandbox run gives for `subject`; `sizes` are those asked for (for messages). */
export function growthSeriesFrom(
  subject: GrowthSubject,
  result: SandboxResult,
  sizes: readonly number[],
): GrowthSeries {
  const failed = (message: string): GrowthSeries => ({ kind: 'failed', ...subject, message });
  const largest = sizes.length > 0 ? Math.max(...sizes) : undefined;
  const atSizes = largest === undefined ? 'at the requested sizes' : `at sizes up to ${largest}`;
  switch (result.kind) {
    case 'passed': {
      const m = result.measurement;
      const points = (m?.sizes ?? []).filter((p) => Number.isFinite(p.runtimeMs) && Number.isFinite(p.peakMemoryKb));
      if (points.length === 0) {
        return failed(m?.sizesError ?? 'No sizes were measured: no afterburner_inputs(size) was found by the harness.');
      }
      const description = describeComplexity(points);
      return {
        kind: 'measured',
        ...subject,
        points: points.map((p) => ({
          size: p.size,
          runtimeMs: p.runtimeMs,
          peakMemoryKb: Math.max(0, p.peakMemoryKb),
        })),
        time: fitView(description.time),
        memory: fitView(description.memory),
      };
    }
    case 'failed': {
      const first = result.failures[0];
      return failed(
        `The tests failed on this version${first ? ` (${first.test}: ${firstLine(first.message)})` : ''}, so it was not measured.`,
      );
    }
    case 'timeout':
      return failed(
        `Measuring ${atSizes} ran past the ${Math.round(result.limitMs / 1000)} s limit. Lower afterburner.profile.sizes or raise afterburner.sandbox.timeoutSeconds.`,
      );
    case 'memory_limit':
      return failed(
        `Measuring ${atSizes} went over the ${result.limitMb} MB memory limit. Lower afterburner.profile.sizes or raise afterburner.sandbox.memoryMb.`,
      );
    case 'crashed':
      return failed(`The measuring process crashed: ${result.message}`);
    case 'error':
      return failed(result.message);
  }
}

export function fitView(fit: ComplexityFit): GrowthFit {
  return fit.kind === 'fit'
    ? { kind: 'fit', complexity: fit.complexity, label: fit.label, relativeError: fit.relativeError }
    : { kind: 'insufficient', reason: fit.reason };
}

/**
 * "time ≈ n², best ≈ n log n; memory ≈ n, best ≈ n" — the original first, then the best candidate;
 * a lone series reads "time ≈ n², memory ≈ n".
 */
export function growthSummary(growth: Pick<GrowthView, 'status' | 'series' | 'sizes'>): string {
  const measured = growth.series.filter((s): s is Extract<GrowthSeries, { kind: 'measured' }> => s.kind === 'measured');
  if (measured.length === 0) {
    if (growth.series.some((s) => s.kind === 'measuring')) return `Measuring at sizes ${growth.sizes.join(', ')}…`;
    const failure = growth.series.find((s) => s.kind === 'failed');
    if (failure?.kind === 'failed') return `Not measured: ${failure.message}`;
    return growth.status === 'cancelled' ? 'Cancelled before any size was measured.' : 'No sizes were measured.';
  }
  const part = (what: 'time' | 'memory'): string =>
    measured
      .map(
        (s, i) =>
          `${i === 0 ? (s.version === 'best' ? `${what} (${s.label.toLowerCase()})` : what) : s.version === 'best' ? 'best' : s.label.toLowerCase()} ${fitWords(s[what])}`,
      )
      .join(', ');
  return `${part('time')}; ${part('memory')}`;
}

function fitWords(fit: GrowthFit): string {
  return fit.kind === 'fit' ? `≈ ${fit.label}` : 'not estimated';
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 200);
}
