/**
 * The Hot functions section's view model: one search's outcome per language (ranked by
 * src/core/hotspots.ts) as the panel shows it, the words of its CodeLens, and the lookups the
 * section's buttons need. Pure: the extension layer runs the search and stores the result.
 */
import type { HotFunction } from '../core/hotspots';
import { describeSandboxFailure } from '../core/resultWords';
import type { Language, SandboxResult } from '../core/sandboxTypes';
import type { HotFunctionView, HotspotsLanguageView, HotspotsView } from '../shared/protocol';

/** How many functions per language the panel lists. */
export const PANEL_TOP = 15;

export function languageView(
  language: Language,
  result: SandboxResult,
  ranked: readonly HotFunction[],
): HotspotsLanguageView {
  if (result.kind !== 'passed' && result.kind !== 'failed') {
    return {
      language,
      status: result.kind,
      tests: { passed: 0, failed: 0 },
      testMs: 0,
      message: describeSandboxFailure(result, 'The tests'),
      functions: [],
    };
  }
  const functions: HotFunctionView[] = ranked.slice(0, PANEL_TOP).map((f) => ({ ...f }));
  const { passed, failed } = result.tests;
  const failedNote = result.kind === 'failed' ? ` ${failed} failed: hot functions are from the tests that ran.` : '';
  return {
    language,
    status: result.hotspots ? result.kind : 'error',
    tests: result.tests,
    testMs: result.hotspots?.testMs ?? 0,
    message: result.hotspots
      ? `${passed} test(s) passed.${failedNote}`
      : 'The sandbox returned no profile: rebuild the sandbox images (afterburner images).',
    functions,
  };
}

export function runningView(folder: string, startedAt: number): HotspotsView {
  return {
    status: 'running',
    folder,
    startedAt,
    message: `Running the tests of ${folder} under a profiler…`,
    languages: [],
  };
}

export function finishedView(
  folder: string,
  startedAt: number,
  finishedAt: number,
  languages: readonly HotspotsLanguageView[],
  cancelled = false,
): HotspotsView {
  if (cancelled) return { status: 'cancelled', folder, startedAt, finishedAt, message: 'Cancelled.', languages };
  const top = languages
    .flatMap((l) => l.functions)
    .slice()
    .sort((a, b) => b.share - a.share)[0];
  const message = top
    ? `${top.function} takes ${percent(top.share)} of its tests' time.`
    : languages.length === 0
      ? `No tests found in ${folder} (test_*.py, *_test.py, *.test.*, *.spec.*, tests/, test/, __tests__/, spec/ and the runner's config).`
      : "No function of the project's own showed up in the profile.";
  const error = languages.length === 0 || languages.every((l) => l.status !== 'passed' && l.status !== 'failed');
  return { status: error ? 'error' : 'done', folder, startedAt, finishedAt, message, languages };
}

export function percent(share: number): string {
  const value = share * 100;
  return `${value >= 10 || value === 0 ? Math.round(value) : value.toFixed(1)} %`;
}

/** The CodeLens title above a hot function. */
export function codeLensTitle(f: HotFunctionView): string {
  return `${percent(f.share)} of test time · Optimize`;
}

/** The function a button of the section points at, if the view still holds it. */
export function hotFunctionAt(
  view: HotspotsView | undefined,
  language: number,
  index: number,
): { readonly language: Language; readonly fn: HotFunctionView } | undefined {
  const lang = view?.languages[language];
  const fn = lang?.functions[index];
  return lang && fn ? { language: lang.language, fn } : undefined;
}

/** Checks a stored view (workspaceState outlives versions of the extension) before it is shown again. */
export function restoredView(raw: unknown): HotspotsView | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const view = raw as Partial<HotspotsView>;
  if (typeof view.folder !== 'string' || typeof view.startedAt !== 'number' || !Array.isArray(view.languages))
    return undefined;
  const ok = view.languages.every(
    (l: Partial<HotspotsLanguageView> | null) =>
      typeof l === 'object' &&
      l !== null &&
      Array.isArray(l.functions) &&
      l.functions.every(
        (f: HotFunctionView) =>
          typeof f.file === 'string' &&
          typeof f.function === 'string' &&
          Number.isInteger(f.line) &&
          typeof f.share === 'number',
      ),
  );
  if (!ok) return undefined;
  // A search that was running when the window closed did not finish.
  return view.status === 'running'
    ? { ...(view as HotspotsView), status: 'cancelled', message: 'Interrupted when the window closed.' }
    : (view as HotspotsView);
}
