/**
 * The runtime and memory charts, drawn with chart.js in the theme's colours. Each candidate is a
 * point (with a bar from its fastest to its slowest sample), the best so far a line, the original
 * a dashed line. Charts are updated in place so a live run does not flicker.
 */
import {
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  Legend,
  type ChartDataset,
  type Plugin,
  type TooltipItem,
} from 'chart.js';
import type { RunView } from '../src/shared/protocol';
import { formatKb, formatKbMs, formatMs } from '../src/shared/format';
import { ChartPair } from './chartPair';
import type { ThemeColors } from './theme';

Chart.register(ScatterController, LineController, LinearScale, PointElement, LineElement, Tooltip, Legend);

interface Point {
  readonly x: number;
  readonly y: number;
  /** Spread of the samples, drawn as an error bar. */
  readonly yMin?: number;
  readonly yMax?: number;
  readonly label: string;
}

type Dataset = ChartDataset<'scatter' | 'line', Point[]>;

/** Vertical bars from `yMin` to `yMax` for datasets whose points carry them. */
const errorBars: Plugin<'scatter'> = {
  id: 'afterburnerErrorBars',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const scale = chart.scales['y'];
    if (!scale) return;
    chart.data.datasets.forEach((dataset, datasetIndex) => {
      const meta = chart.getDatasetMeta(datasetIndex);
      if (meta.hidden) return;
      (dataset.data as unknown as Point[]).forEach((point, i) => {
        const element = meta.data[i];
        if (!element || point.yMin === undefined || point.yMax === undefined) return;
        const top = scale.getPixelForValue(point.yMax);
        const bottom = scale.getPixelForValue(point.yMin);
        ctx.save();
        ctx.strokeStyle = String(dataset.borderColor ?? '#888');
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(element.x, top);
        ctx.lineTo(element.x, bottom);
        ctx.moveTo(element.x - 3, top);
        ctx.lineTo(element.x + 3, top);
        ctx.moveTo(element.x - 3, bottom);
        ctx.lineTo(element.x + 3, bottom);
        ctx.stroke();
        ctx.restore();
      });
    });
  },
};

export class RunCharts extends ChartPair<Chart<'scatter', Point[]>, RunView> {
  update(run: RunView): void {
    const runtimeData = runtimeDatasets(run, this.theme);
    const memoryData = memoryDatasets(run, this.theme);
    const maxX = lastIteration(run);
    this.runtime = this.draw(this.runtime, this.runtimeCanvas, runtimeData, maxX, {
      y: 'ms per replay',
      format: formatMs,
    });
    this.memory = this.draw(this.memory, this.memoryCanvas, memoryData, maxX, {
      y: '',
      y2: '',
      format: formatKb,
      format2: formatKbMs,
    });
  }

  private draw(
    existing: Chart<'scatter', Point[]> | undefined,
    canvas: HTMLCanvasElement,
    datasets: Dataset[],
    maxX: number,
    axes: { y: string; y2?: string; format: (v: number) => string; format2?: (v: number) => string },
  ): Chart<'scatter', Point[]> {
    if (existing) {
      existing.data.datasets = datasets as ChartDataset<'scatter', Point[]>[];
      const x = existing.options.scales?.['x'];
      if (x) x.max = maxX + 0.5;
      existing.update('none');
      return existing;
    }
    const t = this.theme;
    const font = { family: t.fontFamily, size: t.fontSize - 1 };
    const axis = (title: string, format: (v: number) => string, position: 'left' | 'right') => ({
      type: 'linear' as const,
      position,
      beginAtZero: true,
      grid: { color: t.grid, drawOnChartArea: position === 'left' },
      border: { color: t.grid },
      ticks: {
        color: t.foreground,
        font,
        maxTicksLimit: 5,
        callback: (value: string | number) => format(Number(value)),
      },
      title: { display: title !== '', text: title, color: t.muted, font },
    });
    return new Chart<'scatter', Point[]>(canvas, {
      type: 'scatter',
      data: { datasets: datasets as ChartDataset<'scatter', Point[]>[] },
      plugins: [errorBars],
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        color: t.foreground,
        font,
        scales: {
          x: {
            type: 'linear',
            min: -0.5,
            max: maxX + 0.5,
            grid: { color: t.grid },
            border: { color: t.grid },
            // One tick per iteration (0 = the original), whatever the half-step padding of the axis.
            afterBuildTicks: (scale) => {
              scale.ticks = Array.from({ length: Math.floor(Number(scale.max)) + 1 }, (_, value) => ({ value }));
            },
            ticks: { color: t.foreground, font, callback: (value) => (Number(value) === 0 ? 'orig.' : String(value)) },
            title: { display: true, text: 'iteration', color: t.muted, font },
          },
          y: axis(axes.y, axes.format, 'left'),
          ...(axes.y2 !== undefined && axes.format2 ? { y2: axis(axes.y2, axes.format2, 'right') } : {}),
        },
        plugins: {
          legend: { position: 'bottom', labels: { color: t.foreground, font, boxWidth: 10, usePointStyle: true } },
          tooltip: {
            callbacks: {
              label: (item: TooltipItem<'scatter'>) => (item.raw as Point).label,
            },
          },
        },
      },
    });
  }
}

function runtimeDatasets(run: RunView, t: ThemeColors): Dataset[] {
  const width = t.highContrast ? 2 : 1.5;
  const base = run.baseline?.measure;
  const accepted: Point[] = [];
  const rejected: Point[] = [];
  for (const it of run.iterations) {
    const count = it.candidates.length;
    it.candidates.forEach((c, k) => {
      if (!c.measure) return;
      const point: Point = {
        x: it.iteration + spread(k, count),
        y: c.measure.medianMs,
        yMin: c.measure.minMs,
        yMax: c.measure.maxMs,
        label: `Iteration ${it.iteration}, candidate ${c.index}: ${formatMs(c.measure.medianMs)} (${c.verdict})`,
      };
      (c.verdict === 'accepted' ? accepted : rejected).push(point);
    });
  }
  const datasets: Dataset[] = [];
  if (base) {
    const lastX = Math.max(0.5, lastIteration(run));
    datasets.push({
      type: 'line',
      label: 'Original',
      data: [
        {
          x: 0,
          y: base.medianMs,
          yMin: base.minMs,
          yMax: base.maxMs,
          label: `Original: ${formatMs(base.medianMs)} median`,
        },
        { x: lastX, y: base.medianMs, label: `Original: ${formatMs(base.medianMs)} median` },
      ],
      borderColor: t.yellow,
      backgroundColor: t.yellow,
      borderDash: [5, 4],
      borderWidth: width,
      pointRadius: [4, 0],
      pointStyle: 'rectRot',
    });
    const bestLine: Point[] = [{ x: 0, y: base.medianMs, label: `Original: ${formatMs(base.medianMs)}` }];
    for (const it of run.iterations) {
      if (it.best)
        bestLine.push({
          x: it.iteration,
          y: it.best.medianMs,
          label: `Best after iteration ${it.iteration}: ${formatMs(it.best.medianMs)}`,
        });
    }
    if (bestLine.length > 1) {
      datasets.push({
        type: 'line',
        label: 'Best so far',
        data: bestLine,
        borderColor: t.blue,
        backgroundColor: t.blue,
        borderWidth: width + 0.5,
        stepped: 'before',
        pointRadius: 0,
      });
    }
  }
  datasets.push(
    {
      type: 'scatter',
      label: 'Accepted',
      data: accepted,
      borderColor: t.green,
      backgroundColor: t.green,
      pointStyle: 'circle',
      pointRadius: 4,
      borderWidth: width,
    },
    {
      type: 'scatter',
      label: 'Rejected',
      data: rejected,
      borderColor: t.red,
      backgroundColor: 'transparent',
      pointStyle: 'crossRot',
      pointRadius: 5,
      borderWidth: width,
    },
  );
  return datasets;
}

function memoryDatasets(run: RunView, t: ThemeColors): Dataset[] {
  const width = t.highContrast ? 2 : 1.5;
  const base = run.baseline?.measure;
  const peak: Point[] = [];
  const integral: Point[] = [];
  // Memory that could not be measured has no point (its zeros are no figures).
  if (base && !base.memoryUnmeasured) {
    peak.push({ x: 0, y: base.peakMemoryKb, label: `Original peak: ${formatKb(base.peakMemoryKb)}` });
    integral.push({ x: 0, y: base.integralKbMs, label: `Original integral: ${formatKbMs(base.integralKbMs)}` });
  }
  for (const it of run.iterations) {
    const count = it.candidates.length;
    it.candidates.forEach((c, k) => {
      if (!c.measure || c.measure.memoryUnmeasured) return;
      const x = it.iteration + spread(k, count);
      peak.push({
        x,
        y: c.measure.peakMemoryKb,
        label: `Iteration ${it.iteration}, candidate ${c.index}: peak ${formatKb(c.measure.peakMemoryKb)}`,
      });
      integral.push({
        x,
        y: c.measure.integralKbMs,
        label: `Iteration ${it.iteration}, candidate ${c.index}: ${formatKbMs(c.measure.integralKbMs)}`,
      });
    });
  }
  return [
    {
      type: 'scatter',
      label: 'Peak memory',
      data: peak,
      borderColor: t.purple,
      backgroundColor: t.purple,
      pointStyle: 'circle',
      pointRadius: 4,
      borderWidth: width,
      yAxisID: 'y',
    },
    {
      type: 'scatter',
      label: 'Memory × time',
      data: integral,
      borderColor: t.orange,
      backgroundColor: 'transparent',
      pointStyle: 'triangle',
      pointRadius: 5,
      borderWidth: width,
      yAxisID: 'y2',
    },
  ];
}

/** The x range: a profile has only the original; an optimisation run shows its planned iterations. */
function lastIteration(run: RunView): number {
  return Math.max(
    run.kind === 'profile' ? 0 : 1,
    run.iterationsPlanned ?? 0,
    ...run.iterations.map((it) => it.iteration),
  );
}

/** Candidates of one iteration side by side instead of on top of each other. */
function spread(k: number, count: number): number {
  return count <= 1 ? 0 : (k - (count - 1) / 2) * Math.min(0.12, 0.5 / count);
}
