/**
 * Renders the panel from the host's state. Every control is a button with a label a screen reader
 * can say, and stable `data-testid`s, because people and end-to-end tests drive the same page.
 */
import type {
  CandidateView,
  FromWebviewMessage,
  GrowthView,
  IterationView,
  MeasureView,
  PanelState,
  RunPhase,
  RunSummary,
  RunView,
} from '../src/shared/protocol';
import { formatKb, formatKbMs, formatMs, formatPerCall } from '../src/shared/format';
import { h, icon } from './dom';

export const PHASE_TEXT: Record<RunPhase, string> = {
  running: 'Running',
  improved: 'Improved',
  no_improvement: 'No improvement',
  failed: 'Failed',
  cancelled: 'Cancelled',
  profiled: 'Profiled',
  interrupted: 'Interrupted',
};

/** A button whose click sends `message` to the host (the main module wires the click). */
function actionButton(
  label: string,
  ariaLabel: string,
  message: FromWebviewMessage,
  testId: string,
  options: { secondary?: boolean; iconName?: string } = {},
): HTMLElement {
  const button = h(
    'vscode-button',
    {
      'aria-label': ariaLabel,
      title: ariaLabel,
      'data-testid': testId,
      'data-message': JSON.stringify(message),
      secondary: options.secondary,
      icon: options.iconName,
    },
    label,
  );
  return button;
}

export function renderEmpty(): HTMLElement {
  return h(
    'section',
    { class: 'empty', 'data-testid': 'empty-state' },
    h('p', {}, 'No run yet.'),
    h(
      'p',
      {},
      'Right-click a Python, JavaScript or TypeScript function and choose ',
      h('strong', {}, 'Optimize efficiency'),
      ', or run ',
      h('strong', {}, 'Afterburner: Profile function'),
      ' from the Command Palette.',
    ),
  );
}

export function renderHeader(run: RunView): HTMLElement {
  const running = run.phase === 'running';
  return h(
    'header',
    { class: 'run-header', 'data-testid': 'run-header' },
    h(
      'div',
      { class: 'title-row' },
      h(
        'h2',
        { class: 'function-name', 'data-testid': 'run-function', title: `${run.functionName} in ${run.fileLabel}` },
        run.kind === 'profile' ? icon('pulse') : icon('rocket'),
        ' ',
        run.functionName,
      ),
      h(
        'span',
        { class: `phase phase-${run.phase}`, 'data-testid': 'run-phase', role: 'status' },
        running ? h('vscode-progress-ring', { 'aria-label': 'Running' }) : undefined,
        PHASE_TEXT[run.phase],
      ),
    ),
    h('p', { class: 'file' }, run.fileLabel),
    h('p', { class: 'message', 'data-testid': 'run-message', role: 'status', 'aria-live': 'polite' }, run.message),
    h(
      'dl',
      { class: 'facts' },
      fact('Sandbox', run.sandbox === undefined ? '…' : run.sandbox, 'run-sandbox'),
      run.isolation === undefined ? undefined : fact('Isolation', run.isolation, 'run-isolation'),
      run.interpreterOrigin === undefined
        ? undefined
        : fact('Python', `${run.interpreter ?? '…'} — ${run.interpreterOrigin}`, 'run-interpreter'),
      run.kind === 'optimize' ? fact('Model', run.model ?? '…', 'run-model') : undefined,
      run.goal === undefined ? undefined : fact('Goal', run.goal, 'run-goal'),
    ),
    running
      ? h(
          'div',
          { class: 'actions' },
          actionButton(
            'Cancel',
            `Cancel the run on ${run.functionName}`,
            { type: 'cancelRun', runId: run.id },
            'cancel-run',
            { secondary: true, iconName: 'stop-circle' },
          ),
        )
      : undefined,
  );
}

function fact(term: string, value: string, testId: string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', { 'data-testid': testId }, value)];
}

export function renderBaseline(run: RunView): HTMLElement | undefined {
  const base = run.baseline;
  if (!base) return undefined;
  const m = base.measure;
  return h(
    'section',
    { class: 'baseline', 'data-testid': 'baseline', 'aria-label': 'Original measurement' },
    h('h3', {}, 'Original'),
    m
      ? h(
          'p',
          { 'data-testid': 'baseline-runtime' },
          `median ${formatPerCall(m.medianMs, m.calls, m.basis)}${m.p10Ms !== undefined ? `, 10th percentile ${m.calls ? `${formatMs(m.p10Ms / m.calls)} per call` : formatMs(m.p10Ms)}` : ''} · ${formatMs(m.minMs)}–${formatMs(m.maxMs)} per ${m.basis === 'inPlace' ? 'run of the tests' : 'round'}, CV ${(m.cv * 100).toFixed(1)} %, ${m.samples} ${m.basis === 'inPlace' ? 'runs' : 'samples'} · ${memoryText(m)}`,
        )
      : undefined,
    base.busyNote ? h('p', { class: 'warning', 'data-testid': 'baseline-busy' }, base.busyNote) : undefined,
    base.tests ? h('p', { class: 'muted' }, `${base.tests.passed} passed, ${base.tests.failed} failed`) : undefined,
    base.message && base.status !== 'passed' ? h('p', { class: 'error', role: 'alert' }, base.message) : undefined,
    base.notes && base.notes.length > 0
      ? h('ul', { class: 'muted', 'data-testid': 'baseline-notes' }, ...base.notes.map((note) => h('li', {}, note)))
      : undefined,
    renderFailures(base.failures, 'baseline-failures'),
    base.status === 'failed'
      ? h(
          'div',
          { class: 'actions' },
          actionButton('Open tests', 'Open the test file', { type: 'openTests', runId: run.id }, 'open-tests', {
            secondary: true,
            iconName: 'go-to-file',
          }),
        )
      : undefined,
  );
}

function renderFailures(
  failures: readonly { test: string; message: string }[],
  testId: string,
): HTMLElement | undefined {
  if (failures.length === 0) return undefined;
  return h(
    'ul',
    { class: 'failures', role: 'list', 'data-testid': testId, 'aria-label': 'Test failures' },
    failures.slice(0, 8).map((f) => h('li', {}, h('strong', {}, f.test), h('pre', {}, f.message))),
  );
}

export function renderIterations(run: RunView): HTMLElement {
  const list = h(
    'ul',
    { class: 'iterations', role: 'list', 'data-testid': 'iteration-list', 'aria-label': 'Iterations' },
    run.iterations.map((it) => renderIteration(run, it)),
  );
  return h(
    'section',
    { 'aria-label': 'Iterations and candidates' },
    h('h3', {}, 'Iterations'),
    run.iterations.length === 0
      ? h('p', { class: 'muted' }, run.kind === 'profile' ? 'Profile runs have no iterations.' : 'None yet.')
      : list,
  );
}

function renderIteration(run: RunView, it: IterationView): HTMLElement {
  const offered = it.offered === undefined ? undefined : it.candidates.find((c) => c.index === it.offered);
  const summary = !it.done
    ? 'in progress' +
      (it.modelChars > 0 && it.candidates.length === 0 ? ` (model wrote ${it.modelChars} characters)` : '')
    : offered
      ? (offered.changeWords ?? `candidate ${offered.index} passed`)
      : 'no accepted candidate';
  const decision = it.decision === 'applied' ? 'Applied' : it.decision === 'dismissed' ? 'Rejected' : undefined;
  const ref = `iteration ${it.iteration}`;
  return h(
    'li',
    {
      class: `iteration decision-${it.decision}`,
      'data-testid': `iteration-${it.iteration}`,
      'aria-label': `Iteration ${it.iteration}: ${summary}${decision ? `, ${decision.toLowerCase()}` : ''}`,
    },
    h(
      'div',
      { class: 'iteration-head' },
      h('strong', {}, `Iteration ${it.iteration}`),
      h('span', { class: 'muted' }, summary),
      decision ? h('vscode-badge', { 'data-testid': `iteration-${it.iteration}-decision` }, decision) : undefined,
    ),
    offered
      ? h(
          'div',
          { class: 'actions' },
          actionButton(
            'Show diff',
            `Show diff of ${ref}`,
            { type: 'showDiff', runId: run.id, iteration: it.iteration, candidate: offered.index },
            `show-diff-${it.iteration}`,
            { secondary: true, iconName: 'diff' },
          ),
          it.decision === 'applied'
            ? undefined
            : actionButton(
                'Accept',
                `Accept ${ref}`,
                { type: 'accept', runId: run.id, iteration: it.iteration, candidate: offered.index },
                `accept-${it.iteration}`,
                { iconName: 'check' },
              ),
          it.decision === 'undecided'
            ? actionButton(
                'Reject',
                `Reject ${ref}`,
                { type: 'reject', runId: run.id, iteration: it.iteration },
                `reject-${it.iteration}`,
                { secondary: true, iconName: 'close' },
              )
            : undefined,
        )
      : undefined,
    h(
      'ul',
      { class: 'candidates', role: 'list', 'aria-label': `Candidates of ${ref}` },
      it.candidates.map((c) => renderCandidate(run, it, c)),
    ),
  );
}

function renderCandidate(run: RunView, it: IterationView, c: CandidateView): HTMLElement {
  const parts = [statusText(c)];
  if (c.changeWords !== undefined) parts.push(c.changeWords);
  if (c.measure)
    parts.push(
      c.measure.calls !== undefined && c.measure.calls > 0
        ? `${formatMs(c.measure.medianMs / c.measure.calls)} per call`
        : formatMs(c.measure.medianMs),
    );
  if (c.linesAdded !== undefined) parts.push(`+${c.linesAdded} −${c.linesRemoved ?? 0} lines`);
  return h(
    'li',
    { class: `candidate verdict-${c.verdict}`, 'data-testid': `candidate-${it.iteration}-${c.index}` },
    h(
      'div',
      { class: 'candidate-head' },
      h('span', { class: 'candidate-name' }, verdictIcon(c), ` Candidate ${c.index}`),
      h('span', { class: 'muted' }, parts.join(' · ')),
    ),
    h('p', { class: 'reason', 'data-testid': `candidate-${it.iteration}-${c.index}-reason` }, c.reason),
    renderFailures(c.failures, `candidate-${it.iteration}-${c.index}-failures`),
    renderExplanation(c, `candidate-${it.iteration}-${c.index}-explanation`, c.index === it.offered),
    c.hasCode && c.index !== it.offered && c.status !== 'measuring'
      ? h(
          'div',
          { class: 'actions' },
          actionButton(
            'Show diff',
            `Show diff of candidate ${c.index} of iteration ${it.iteration}`,
            { type: 'showDiff', runId: run.id, iteration: it.iteration, candidate: c.index },
            `show-diff-${it.iteration}-${c.index}`,
            { secondary: true, iconName: 'diff' },
          ),
        )
      : undefined,
  );
}

/** The model's words and the measured facts; open for the candidate the iteration offers. */
function renderExplanation(c: CandidateView, testId: string, open: boolean): HTMLElement | undefined {
  const e = c.explanation;
  if (!e || (e.model === undefined && e.measured.length === 0)) return undefined;
  const measured = e.measured.length > 0 && c.status === 'passed';
  return h(
    'details',
    { class: 'explanation', 'data-testid': testId, ...(open ? { open: '' } : {}) },
    h('summary', {}, c.verdict === 'accepted' ? 'Why it is faster' : 'What the model said'),
    e.model === undefined ? undefined : h('p', { class: 'model-words' }, h('em', {}, 'Model: '), e.model),
    measured
      ? h(
          'ul',
          { class: 'measured', role: 'list', 'aria-label': 'Measured' },
          e.measured.map((line) => h('li', {}, line)),
        )
      : undefined,
  );
}

function statusText(c: CandidateView): string {
  switch (c.status) {
    case 'measuring':
      return 'measuring…';
    case 'memory_limit':
      return 'memory limit';
    case 'no_code':
      return 'no code';
    case 'model_error':
      return 'model error';
    default:
      return c.status;
  }
}

function verdictIcon(c: CandidateView): HTMLElement {
  if (c.verdict === 'pending') return icon('loading codicon-modifier-spin');
  return c.verdict === 'accepted' ? icon('pass') : icon('circle-slash');
}

export function renderHistory(history: readonly RunSummary[], shownId: string | undefined): HTMLElement | undefined {
  if (history.length === 0) return undefined;
  return h(
    'section',
    { class: 'history', 'aria-label': 'Past runs' },
    h('h3', {}, 'Runs in this workspace'),
    h(
      'ul',
      { role: 'list', 'data-testid': 'run-history' },
      history.map((r) => {
        const when = new Date(r.startedAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
        const label = `${r.kind === 'profile' ? 'Profile' : 'Optimize'} ${r.functionName} (${r.fileLabel}), ${when}: ${PHASE_TEXT[r.phase]}${r.bestWords ? `, ${r.bestWords}` : ''}`;
        return h(
          'li',
          {},
          h(
            'button',
            {
              class: 'history-item',
              type: 'button',
              'aria-current': r.id === shownId ? 'true' : undefined,
              'aria-label': `Open run: ${label}`,
              'data-testid': `history-${r.id}`,
              'data-message': JSON.stringify({ type: 'openRun', runId: r.id }),
            },
            h('span', {}, r.kind === 'profile' ? icon('pulse') : icon('rocket'), ` ${r.functionName}`),
            h('span', { class: 'muted' }, `${when} · ${PHASE_TEXT[r.phase]}${r.bestWords ? `, ${r.bestWords}` : ''}`),
          ),
        );
      }),
    ),
  );
}

/**
 * Below the growth charts: each version's fitted classes with their fit quality and measured sizes,
 * or why it has none (the generator raised, a size ran past a limit) as an alert.
 */
export function renderGrowthNotes(growth: GrowthView): HTMLElement[] {
  return growth.series.map((s) => {
    switch (s.kind) {
      case 'measuring':
        return h(
          'p',
          { class: 'muted', 'data-testid': `growth-${s.version}` },
          icon('loading codicon-modifier-spin'),
          ` ${s.label}: measuring at sizes ${growth.sizes.join(', ')}…`,
        );
      case 'failed':
        return h(
          'p',
          { class: 'error', role: 'alert', 'data-testid': `growth-${s.version}-error` },
          `${s.label}: ${s.message}`,
        );
      case 'measured': {
        const fit = (f: typeof s.time): string =>
          f.kind === 'fit'
            ? `≈ ${f.label} (fit within ${Math.round(f.relativeError * 100)} %)`
            : `not estimated: ${f.reason}`;
        const largest = s.points[s.points.length - 1];
        const at = largest
          ? `; at n = ${largest.size}: ${formatMs(largest.runtimeMs)}, peak ${formatKb(largest.peakMemoryKb)}`
          : '';
        return h(
          'p',
          { class: 'muted', 'data-testid': `growth-${s.version}` },
          `${s.label}: time ${fit(s.time)}, memory ${fit(s.memory)}${at}.`,
        );
      }
    }
  });
}

/** A one-line text version of the charts for screen readers. */
export function chartSummary(run: RunView): string {
  const base = run.baseline?.measure;
  if (!base) return 'No measurement yet.';
  const best =
    run.best && run.best.iteration > 0
      ? ` Best: iteration ${run.best.iteration}, ${formatMs(run.best.medianMs)}${run.best.changeWords ? ` (${run.best.changeWords})` : ''}.`
      : '';
  return `Original: ${formatMs(base.medianMs)} median, ${memoryText(base)}.${best}`;
}

/** "peak 12.0 kB · 3.4 kB·ms", or "memory not measured" (its zeros are no figures). */
function memoryText(m: MeasureView): string {
  return m.memoryUnmeasured
    ? 'memory not measured'
    : `peak ${formatKb(m.peakMemoryKb)} · ${formatKbMs(m.integralKbMs)}`;
}

export function renderState(state: PanelState): { body: HTMLElement[]; run?: RunView } {
  const run = state.run;
  if (!run) return { body: [renderEmpty(), ...optional(renderHistory(state.history, undefined))] };
  return {
    run,
    body: [
      renderHeader(run),
      ...optional(renderBaseline(run)),
      renderIterations(run),
      ...optional(renderHistory(state.history, run.id)),
    ],
  };
}

function optional<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}
