/**
 * Renders the Hot functions section: the ranked functions of the last search with a bar for their
 * share of the tests' time, a file:line link that opens each, and Profile / Optimize buttons.
 */
import type { FromWebviewMessage, HotFunctionView, HotspotsLanguageView, HotspotsView } from '../src/shared/protocol';
import { formatMs } from '../src/shared/format';
import { h, icon } from './dom';
import './hotspots.css';

function button(
  label: string,
  ariaLabel: string,
  message: FromWebviewMessage,
  testId: string,
  iconName: string,
  secondary = true,
): HTMLElement {
  return h(
    'vscode-button',
    {
      'aria-label': ariaLabel,
      title: ariaLabel,
      'data-testid': testId,
      'data-message': JSON.stringify(message),
      secondary,
      icon: iconName,
    },
    label,
  );
}

function percent(share: number): string {
  const value = share * 100;
  return `${value >= 10 || value === 0 ? Math.round(value) : value.toFixed(1)} %`;
}

function shareBar(share: number): HTMLElement {
  const fill = h('div', { class: 'hot-bar-fill' });
  // Set through the CSSOM: the panel's CSP allows no inline style attributes.
  fill.style.width = `${Math.max(0, Math.min(1, share)) * 100}%`;
  return h('div', { class: 'hot-bar', 'aria-hidden': 'true' }, fill);
}

function functionRow(fn: HotFunctionView, language: number, index: number): HTMLElement {
  const where = `${fn.file}:${fn.line}`;
  return h(
    'li',
    { class: 'hot-function', 'data-testid': `hot-function-${language}-${index}` },
    h(
      'div',
      { class: 'hot-head' },
      h('span', { class: 'hot-name' }, fn.function),
      h('span', { class: 'hot-share', 'data-testid': 'hot-share' }, percent(fn.share)),
    ),
    shareBar(fn.share),
    h(
      'div',
      { class: 'hot-details' },
      h(
        'a',
        {
          href: '#',
          class: 'hot-link',
          'aria-label': `Open ${fn.function} at ${where}`,
          'data-testid': `hot-open-${language}-${index}`,
          'data-message': JSON.stringify({
            type: 'hotspot',
            action: 'open',
            language,
            index,
          } satisfies FromWebviewMessage),
        },
        where,
      ),
      h(
        'span',
        { class: 'muted' },
        ` · ${formatMs(fn.totalMs)} total · ${formatMs(fn.selfMs)} self · ${fn.calls} call${fn.calls === 1 ? '' : 's'}`,
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      button(
        'Profile',
        `Profile ${fn.function}`,
        { type: 'hotspot', action: 'profile', language, index },
        `hot-profile-${language}-${index}`,
        'pulse',
      ),
      button(
        'Optimize',
        `Optimize ${fn.function}`,
        { type: 'hotspot', action: 'optimize', language, index },
        `hot-optimize-${language}-${index}`,
        'rocket',
        false,
      ),
    ),
  );
}

function languageBlock(lang: HotspotsLanguageView, language: number): HTMLElement {
  const failed = lang.status !== 'passed';
  return h(
    'div',
    { class: 'hot-language', 'data-testid': `hot-language-${lang.language}` },
    h(
      'p',
      { class: failed ? 'error' : 'muted' },
      `${lang.language}: ${lang.tests.passed} passed, ${lang.tests.failed} failed · ${formatMs(lang.testMs)} in tests. `,
      lang.status === 'passed' ? '' : lang.message,
    ),
    lang.functions.length > 0
      ? h(
          'ol',
          { class: 'hot-list' },
          lang.functions.map((fn, index) => functionRow(fn, language, index)),
        )
      : undefined,
  );
}

/** The section's content for `view` (undefined: never searched in this workspace). */
export function renderHotspots(view: HotspotsView | undefined): HTMLElement[] {
  const running = view?.status === 'running';
  const header = h(
    'div',
    { class: 'hot-header' },
    h('h3', {}, icon('flame'), ' Hot functions'),
    running
      ? button('Cancel', 'Cancel finding hot functions', { type: 'cancelHotspots' }, 'cancel-hotspots', 'stop-circle')
      : button(
          'Find hot functions',
          'Find hot functions: run the tests under a profiler',
          { type: 'findHotspots' },
          'find-hotspots',
          'flame',
        ),
  );
  if (!view)
    return [
      header,
      h('p', { class: 'muted' }, 'Runs the tests under a profiler and ranks the functions they spend their time in.'),
    ];
  return [
    header,
    h(
      'p',
      {
        class: view.status === 'error' ? 'error' : 'muted',
        role: 'status',
        'aria-live': 'polite',
        'data-testid': 'hotspots-status',
      },
      running ? h('vscode-progress-ring', { class: 'inline-ring' }) : undefined,
      `${view.folder}: ${view.message}`,
    ),
    ...view.languages.map(languageBlock),
  ];
}
