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
import { watchTheme } from './theme';
import { chartSummary, renderState } from './view';

interface VsCodeApi {
  postMessage(message: FromWebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;

const top = h('div', { class: 'top' });
const runtimeCanvas = h('canvas', { role: 'img', 'aria-label': 'Runtime by iteration', 'data-testid': 'runtime-chart', 'aria-describedby': 'chart-summary' }) as HTMLCanvasElement;
const memoryCanvas = h('canvas', { role: 'img', 'aria-label': 'Memory by iteration', 'data-testid': 'memory-chart', 'aria-describedby': 'chart-summary' }) as HTMLCanvasElement;
const summary = h('p', { id: 'chart-summary', class: 'visually-hidden' });
const chartsSection = h(
  'section',
  { class: 'charts', 'aria-label': 'Charts', hidden: true },
  h('h3', {}, 'Runtime'),
  h('div', { class: 'chart-box' }, runtimeCanvas),
  h('p', { class: 'muted legend-note' }, 'Points: candidates (bars: fastest to slowest sample). Line: best so far. Dashed: the original.'),
  h('h3', {}, 'Memory'),
  h('div', { class: 'chart-box' }, memoryCanvas),
  summary,
);
const bottom = h('div', { class: 'bottom' });
app.replaceChildren(top, chartsSection, bottom);

const charts = new RunCharts(runtimeCanvas, memoryCanvas);
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
  // Re-rendering replaces the buttons; keep keyboard focus where it was.
  if (focusedId) (app.querySelector(`[data-testid="${CSS.escape(focusedId)}"]`) as HTMLElement | null)?.focus();
  vscode.setState(state);
}

app.addEventListener('click', (event) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>('[data-message]');
  const raw = target?.dataset['message'];
  if (!raw || target?.hasAttribute('disabled')) return;
  vscode.postMessage(JSON.parse(raw) as FromWebviewMessage);
});

window.addEventListener('message', (event: MessageEvent<ToWebviewMessage>) => {
  const message = event.data;
  if (message?.type === 'state') render(message.state);
});

watchTheme(() => charts.retheme(current?.run));

// Paint the last state at once after a reload; the host's answer to `ready` replaces it.
const saved = vscode.getState() as PanelState | undefined;
if (saved && Array.isArray(saved.history)) render(saved);
vscode.postMessage({ type: 'ready' });
