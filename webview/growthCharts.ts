/**
 * The growth charts: size → runtime and size → peak memory on log–log axes, where each complexity
 * class is a straight line of its own slope (n: 1, n²: 2), so the original and the best candidate
 * can be compared at a glance. Colours as in the run charts: the original yellow and dashed, the
 * best candidate blue. A memory axis with a zero value falls back to a linear scale.
 */
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
  type TooltipItem,
} from 'chart.js';
import type { GrowthFit, GrowthSeries, GrowthView } from '../src/shared/protocol';
import { formatKb, formatMs } from '../src/shared/format';
import { ChartPair } from './chartPair';
import type { ThemeColors } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend);

interface Point {
  readonly x: number;
  readonly y: number;
  readonly label: string;
}

type Measured = Extract<GrowthSeries, { kind: 'measured' }>;
type Metric = 'time' | 'memory';

export class GrowthCharts extends ChartPair<Chart<'line', Point[]>, GrowthView> {
  private sizes: readonly number[] = [];

  update(growth: GrowthView): void {
    const measured = growth.series.filter((s): s is Measured => s.kind === 'measured');
    this.runtime = this.draw(this.runtime, this.runtimeCanvas, measured, 'time');
    this.memory = this.draw(this.memory, this.memoryCanvas, measured, 'memory');
  }

  private draw(
    existing: Chart<'line', Point[]> | undefined,
    canvas: HTMLCanvasElement,
    measured: readonly Measured[],
    metric: Metric,
  ): Chart<'line', Point[]> {
    const datasets = measured.map((s) => dataset(s, metric, this.theme));
    // Ticks at the measured sizes only: a log axis's own minor ticks crowd a narrow side bar.
    this.sizes = [...new Set(measured.flatMap((s) => s.points.map((p) => p.size)))].sort((a, b) => a - b);
    // A log axis cannot place 0 (memory below the tracer's resolution), and within one decade it
    // only repeats the same rounded labels: then the y axis is linear.
    const ys = datasets.flatMap((d) => d.data.map((p) => p.y));
    const logY = ys.length > 0 && ys.every((y) => y > 0) && Math.max(...ys) / Math.min(...ys) >= 10;
    const format = metric === 'time' ? formatMs : formatKb;
    if (existing && (existing.options.scales?.['y']?.type === 'logarithmic') === logY) {
      existing.data.datasets = datasets;
      existing.update('none');
      return existing;
    }
    existing?.destroy();
    const t = this.theme;
    const font = { family: t.fontFamily, size: t.fontSize - 1 };
    return new Chart<'line', Point[]>(canvas, {
      type: 'line',
      data: { datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        color: t.foreground,
        font,
        parsing: false,
        scales: {
          x: {
            type: 'logarithmic',
            grid: { color: t.grid },
            border: { color: t.grid },
            afterBuildTicks: (scale) => {
              scale.ticks = this.sizes.map((value) => ({ value }));
            },
            ticks: {
              color: t.foreground,
              font,
              autoSkip: true,
              maxRotation: 0,
              callback: (value) => compactSize(Number(value)),
            },
            title: { display: true, text: 'input size (log)', color: t.muted, font },
          },
          y: {
            type: logY ? 'logarithmic' : 'linear',
            ...(logY ? {} : { beginAtZero: true }),
            grid: { color: t.grid },
            border: { color: t.grid },
            ticks: { color: t.foreground, font, maxTicksLimit: 5, callback: (value) => format(Number(value)) },
            title: {
              display: true,
              text: metric === 'time' ? `time per call${logY ? ' (log)' : ''}` : `peak memory${logY ? ' (log)' : ''}`,
              color: t.muted,
              font,
            },
          },
        },
        plugins: {
          legend: { position: 'bottom', labels: { color: t.foreground, font, boxWidth: 10, usePointStyle: true } },
          tooltip: { callbacks: { label: (item: TooltipItem<'line'>) => (item.raw as Point).label } },
        },
      },
    });
  }
}

function dataset(series: Measured, metric: Metric, t: ThemeColors): ChartDataset<'line', Point[]> {
  const original = series.version === 'original';
  const colour = original ? t.yellow : t.blue;
  const fit = series[metric];
  const data = series.points.map((p) => {
    const y = metric === 'time' ? p.runtimeMs : p.peakMemoryKb;
    return { x: p.size, y, label: `${series.label}, n = ${p.size}: ${metric === 'time' ? formatMs(y) : formatKb(y)}` };
  });
  return {
    label: `${series.label} ${fitText(fit)}`,
    data,
    borderColor: colour,
    backgroundColor: colour,
    borderWidth: t.highContrast ? 2.5 : 2,
    ...(original ? { borderDash: [5, 4] } : {}),
    pointStyle: original ? 'rectRot' : 'circle',
    pointRadius: 4,
  };
}

export function fitText(fit: GrowthFit): string {
  return fit.kind === 'fit' ? `(≈ ${fit.label})` : '(class not estimated)';
}

/** 100, 1k, 10k, 1.5M: tick labels short enough for a narrow side bar. */
function compactSize(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '';
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (n >= 1e4) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(n);
}
