/**
 * The panel's entry: says `ready`, renders every `state` the host sends, and turns clicks on
 * buttons into the protocol's messages. It holds nothing the host cannot send again.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import './main.css';
import type { FromWebviewMessage, PanelState, ToWebviewMessage } from '../src/shared/protocol';
import { RunCharts } from './charts';
import { h } from './dom';
import { GrowthCharts } from './growthCharts';
import { watchTheme } from './theme';
import { chartSummary, renderGrowthNotes, renderState } from './view';
import { renderHotspots } from './hotspotsView';

interface VsCodeApi {
  postMessage(message: FromWebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;

const top = h('div', { class: 'top' });
const runtimeCanvas = h('canvas', {
  role: 'img',
  'aria-label': 'Runtime by iteration',
  'data-testid': 'runtime-chart',
  'aria-describedby': 'chart-summary',
}) as HTMLCanvasElement;
const memoryCanvas = h('canvas', {
  role: 'img',
  'aria-label': 'Memory by iteration',
  'data-testid': 'memory-chart',
  'aria-describedby': 'chart-summary',
}) as HTMLCanvasElement;
const summary = h('p', { id: 'chart-summary', class: 'visually-hidden' });
const chartsSection = h(
  'section',
  { class: 'charts', 'aria-label': 'Charts', hidden: true },
  h('h3', {}, 'Runtime'),
  h('div', { class: 'chart-box' }, runtimeCanvas),
  h(
    'p',
    { class: 'muted legend-note' },
    'Points: candidates (bars: fastest to slowest sample). Line: best so far. Dashed: the original.',
  ),
  h('h3', {}, 'Memory'),
  h('div', { class: 'chart-box' }, memoryCanvas),
  summary,
);
const growthTimeCanvas = h('canvas', {
  role: 'img',
  'aria-label': 'Runtime by input size',
  'data-testid': 'growth-chart',
  'aria-describedby': 'growth-summary',
}) as HTMLCanvasElement;
const growthMemoryCanvas = h('canvas', {
  role: 'img',
  'aria-label': 'Peak memory by input size',
  'data-testid': 'growth-memory-chart',
  'aria-describedby': 'growth-summary',
}) as HTMLCanvasElement;
const growthSummary = h('p', {
  id: 'growth-summary',
  class: 'growth-summary',
  'data-testid': 'growth-summary',
  role: 'status',
  'aria-live': 'polite',
});
const growthCharts = h(
  'div',
  { class: 'growth-charts' },
  h('div', { class: 'chart-box' }, growthTimeCanvas),
  h('div', { class: 'chart-box' }, growthMemoryCanvas),
  h(
    'p',
    { class: 'muted legend-note' },
    'Log scales where values span more than tenfold; on log–log axes a line of slope 1 is linear growth, slope 2 quadratic. Dashed: the original.',
  ),
);
const growthNotes = h('div', { class: 'growth-notes' });
const growthActions = h('div', { class: 'actions' });
const growthSection = h(
  'section',
  { class: 'growth', 'aria-label': 'Growth with input size', 'data-testid': 'growth-section', hidden: true },
  h('h3', {}, 'Growth'),
  growthSummary,
  growthCharts,
  growthNotes,
  growthActions,
);
const bottom = h('div', { class: 'bottom' });
const hotspotsSection = h('section', {
  class: 'hotspots',
  'aria-label': 'Hot functions',
  'data-testid': 'hotspots-section',
});
hotspotsSection.replaceChildren(...renderHotspots(undefined));
app.replaceChildren(top, chartsSection, growthSection, bottom, hotspotsSection);

const charts = new RunCharts(runtimeCanvas, memoryCanvas);
const growth = new GrowthCharts(growthTimeCanvas, growthMemoryCanvas);
let current: PanelState | undefined;

function render(state: PanelState): void {
  current = state;
  const focusedId = (document.activeElement as HTMLElement | null)?.dataset?.['testid'];
  const { body, run } = renderState(state);
  const [header, ...rest] = body;
  top.replaceChildren(...(header ? [header] : []));
  bottom.replaceChildren(...rest);
  const hasData = run?.baseline?.measure !== undefined;
  chartsSection.hidden = !hasData;
  if (run && hasData) {
    charts.update(run);
    summary.textContent = chartSummary(run);
  }
  renderGrowth(run);
  // Re-rendering replaces the buttons; keep keyboard focus where it was.
  if (focusedId) (app.querySelector(`[data-testid="${CSS.escape(focusedId)}"]`) as HTMLElement | null)?.focus();
  vscode.setState(state);
}

function renderGrowth(run: PanelState['run']): void {
  const view = run?.growth;
  growthSection.hidden = view === undefined;
  if (!run || !view) return;
  growthSummary.textContent = view.summary;
  const measured = view.series.some((s) => s.kind === 'measured');
  growthCharts.hidden = !measured;
  if (measured) growth.update(view);
  growthNotes.replaceChildren(...renderGrowthNotes(view));
  growthActions.replaceChildren(
    ...(view.status === 'measuring' && run.phase !== 'running'
      ? [
          h(
            'vscode-button',
            {
              secondary: true,
              icon: 'stop-circle',
              'aria-label': `Cancel measuring growth of ${run.functionName}`,
              'data-testid': 'cancel-growth',
              'data-message': JSON.stringify({ type: 'cancelRun', runId: run.id }),
            },
            'Cancel',
          ),
        ]
      : []),
  );
}

app.addEventListener('click', (event) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>('[data-message]');
  const raw = target?.dataset['message'];
  if (!raw || target?.hasAttribute('disabled')) return;
  event.preventDefault(); // a file:line link posts its message instead of navigating
  vscode.postMessage(JSON.parse(raw) as FromWebviewMessage);
});

window.addEventListener('message', (event: MessageEvent<ToWebviewMessage>) => {
  const message = event.data;
  if (message?.type === 'state') render(message.state);
  if (message?.type === 'hotspots') hotspotsSection.replaceChildren(...renderHotspots(message.hotspots ?? undefined));
});

watchTheme(() => {
  charts.retheme(current?.run);
  growth.retheme(current?.run?.growth?.series.some((s) => s.kind === 'measured') ? current.run.growth : undefined);
});

// Paint the last state at once after a reload; the host's answer to `ready` replaces it.
const saved = vscode.getState() as PanelState | undefined;
if (saved && Array.isArray(saved.history)) render(saved);
vscode.postMessage({ type: 'ready' });
