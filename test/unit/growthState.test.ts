import { describe, expect, it } from 'vitest';
import type { Measurement, SandboxResult, SizePoint } from '../../src/core/sandboxTypes';
import {
  markInterrupted,
  reduceGrowth,
  reduceRun,
  startRun,
  type GrowthAction,
  type RunRecord,
} from '../../src/panel/panelState';
import { parseGrowthView, type GrowthSeries } from '../../src/shared/protocol';

const info = { sandbox: 'local' as const, isolation: 'bwrap', wallMs: 50, output: '' };
const SIZES = [100, 200, 400, 800, 1600];

function measurement(sizes?: readonly SizePoint[], sizesError?: string): Measurement {
  return {
    runtimeMs: { median: 1, min: 1, mean: 1, cv: 0.01, samples: 5, values: [1, 1, 1, 1, 1] },
    peakMemoryKb: 10,
    integralKbMs: 10,
    calls: 2,
    ...(sizes ? { sizes } : {}),
    ...(sizesError ? { sizesError } : {}),
  };
}

function passed(m: Measurement): SandboxResult {
  return { ...info, kind: 'passed', tests: { passed: 2, failed: 0 }, runner: 'pytest', measurement: m };
}

/** Points of runtime c·n^power (plus a small constant) and memory linear in n. */
function points(power: number, c: number): SizePoint[] {
  return SIZES.map((n) => ({ size: n, runtimeMs: 0.001 + c * n ** power, peakMemoryKb: 0.05 * n }));
}

function start(kind: 'optimize' | 'profile' = 'optimize'): RunRecord {
  return startRun({
    id: 'run1',
    kind,
    fileLabel: 'pairs.py',
    startedAt: 1000,
    source: {
      documentUri: 'file:///w/pairs.py',
      target: 'count_pairs',
      language: 'python',
      originalCode: 'def count_pairs(v, t): ...',
      indent: '',
      testUris: [],
    },
  });
}

const bothVersions: GrowthAction = {
  type: 'growthStarted',
  sizes: SIZES,
  versions: [
    { version: 'original', label: 'Original' },
    { version: 'best', label: 'Iteration 2' },
  ],
};

function apply(record: RunRecord, ...actions: GrowthAction[]): RunRecord {
  return actions.reduce(reduceGrowth, record);
}

function series(record: RunRecord, version: 'original' | 'best'): GrowthSeries | undefined {
  return record.view.growth?.series.find((s) => s.version === version);
}

describe('growth section of the panel state', () => {
  it('says which sizes are being measured until results arrive', () => {
    const record = apply(start(), bothVersions);
    expect(record.view.growth?.status).toBe('measuring');
    expect(record.view.growth?.summary).toBe('Measuring at sizes 100, 200, 400, 800, 1600…');
    expect(record.view.growth?.series.map((s) => s.kind)).toEqual(['measuring', 'measuring']);
  });

  it('fits the original as quadratic and the best candidate as linear, on the same sizes', () => {
    const record = apply(
      start(),
      bothVersions,
      { type: 'growthMeasured', version: 'original', result: passed(measurement(points(2, 1e-5))) },
      { type: 'growthMeasured', version: 'best', result: passed(measurement(points(1, 1e-3))) },
      { type: 'growthEnded', outcome: 'done' },
    );
    const original = series(record, 'original');
    const best = series(record, 'best');
    expect(original?.kind === 'measured' && original.time.kind === 'fit' ? original.time.complexity : undefined).toBe(
      'n^2',
    );
    expect(best?.kind === 'measured' && best.time.kind === 'fit' ? best.time.complexity : undefined).toBe('n');
    expect(best?.kind === 'measured' ? best.points.map((p) => p.size) : []).toEqual(SIZES);
    expect(record.view.growth?.status).toBe('done');
    expect(record.view.growth?.summary).toBe('time ≈ n², best ≈ n; memory ≈ n, best ≈ n');
  });

  it("shows the generator's error for a version whose sizes could not be measured", () => {
    const error = 'afterburner_inputs(100) failed: ValueError: size must be even';
    const record = apply(
      start('profile'),
      { type: 'growthStarted', sizes: SIZES, versions: [{ version: 'original', label: 'Original' }] },
      {
        type: 'growthMeasured',
        version: 'original',
        result: passed(measurement(undefined, error)),
      },
    );
    expect(series(record, 'original')).toEqual({
      kind: 'failed',
      version: 'original',
      label: 'Original',
      message: error,
    });
    expect(record.view.growth?.summary).toBe(`Not measured: ${error}`);
  });

  it('names the limit and the setting to change when the largest size ran past the time limit', () => {
    const record = apply(start(), bothVersions, {
      type: 'growthMeasured',
      version: 'best',
      result: { ...info, kind: 'timeout', limitMs: 60_000 },
    });
    const best = series(record, 'best');
    expect(best?.kind === 'failed' ? best.message : '').toMatch(
      /sizes up to 1600 ran past the 60 s limit.*afterburner\.profile\.sizes/,
    );
  });

  it('turns versions still measuring into "cancelled" when the person cancels', () => {
    const record = apply(
      start(),
      bothVersions,
      { type: 'growthMeasured', version: 'original', result: passed(measurement(points(2, 1e-5))) },
      { type: 'growthEnded', outcome: 'cancelled' },
    );
    expect(record.view.growth?.status).toBe('cancelled');
    const best = series(record, 'best');
    expect(best?.kind === 'failed' ? best.message : '').toMatch(/cancelled/);
    expect(record.view.growth?.summary).toMatch(/^time ≈ n²/);
  });

  it('settles growth still measuring when a stored run is reopened after a reload', () => {
    const finished = reduceRun(
      apply(start(), bothVersions),
      { type: 'finished', outcome: 'improved', stop: 'completed', reason: 'Improved.' },
      { now: 2000 },
    );
    const reopened = markInterrupted(finished, 3000);
    expect(reopened.view.phase).toBe('improved');
    expect(reopened.view.growth?.status).toBe('interrupted');
    expect(reopened.view.growth?.series.every((s) => s.kind === 'failed')).toBe(true);
  });

  it('drops the section when there is nothing to show', () => {
    const record = apply(start('profile'), bothVersions, { type: 'growthDropped' });
    expect(record.view.growth).toBeUndefined();
  });
});

describe('growth view validation', () => {
  const measured = apply(
    start(),
    bothVersions,
    { type: 'growthMeasured', version: 'original', result: passed(measurement(points(2, 1e-5))) },
    { type: 'growthMeasured', version: 'best', result: { ...info, kind: 'memory_limit', limitMb: 512 } },
    { type: 'growthEnded', outcome: 'done' },
  ).view.growth;

  it('accepts what the reducer makes, after a trip through JSON (as workspaceState stores it)', () => {
    const stored: unknown = JSON.parse(JSON.stringify(measured));
    expect(parseGrowthView(stored)).toEqual(measured);
  });

  it.each([
    ['an unknown status', { status: 'exploded' }],
    ['a size that is not a positive integer', { sizes: [100, 0.5] }],
    ['a series of an unknown version', { series: [{ kind: 'measuring', version: 'third', label: 'x' }] }],
    [
      'a fitted class that does not exist',
      {
        series: [
          {
            kind: 'measured',
            version: 'original',
            label: 'O',
            points: [],
            time: { kind: 'fit', complexity: 'n^9', label: 'n⁹', relativeError: 0 },
            memory: { kind: 'insufficient', reason: 'r' },
          },
        ],
      },
    ],
    [
      'a runtime that JSON turned into null (NaN)',
      {
        series: [
          {
            kind: 'measured',
            version: 'original',
            label: 'O',
            points: [{ size: 1, runtimeMs: null, peakMemoryKb: 1 }],
            time: { kind: 'insufficient', reason: 'r' },
            memory: { kind: 'insufficient', reason: 'r' },
          },
        ],
      },
    ],
    [
      'more series than versions',
      { series: Array.from({ length: 5 }, () => ({ kind: 'measuring', version: 'best', label: 'b' })) },
    ],
  ])('refuses %s', (_what, change) => {
    expect(parseGrowthView({ ...JSON.parse(JSON.stringify(measured)), ...change })).toBeUndefined();
  });

  it('refuses something that is not an object', () => {
    expect(parseGrowthView('time ≈ n²')).toBeUndefined();
    expect(parseGrowthView(null)).toBeUndefined();
  });
});
