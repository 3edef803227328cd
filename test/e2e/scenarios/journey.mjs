// Stage two: a person's journey in a real VS Code. Optimize a Python and a TypeScript function
// from the editor's context menu against the scripted model, watch the charts and iterations
// fill, open a diff, accept (and undo), reject, cancel a run, and profile without a model.
// Scenarios run in order in one window; each screenshot is taken in the light and dark theme.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  activeEditor,
  clickCodeLens,
  contextMenuOnLine,
  editorText,
  notification,
  openFile,
  panelFrame,
  runCommand,
  screenshot,
  sideBar,
  waitForOrError,
} from '../driver.mjs';
import { E2E_API_KEY } from '../scriptedModel.mjs';

const fixture = (name) =>
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workspace', name), 'utf8');

const FASTER_PAIRS = `def count_pairs(values, target):
    """Number of index pairs i < j with values[i] + values[j] == target."""
    seen = {}
    count = 0
    for value in values:
        count += seen.get(target - value, 0)
        seen[value] = seen.get(value, 0) + 1
    return count`;

const COUNTER_PAIRS = `def count_pairs(values, target):
    """Number of index pairs i < j with values[i] + values[j] == target."""
    from collections import Counter
    tally = Counter()
    count = 0
    for value in values:
        count += tally[target - value]
        tally[value] += 1
    return count`;

const FASTER_UNIQUE = `export function uniqueSorted(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}`;

/** Normalises line endings and trailing blank lines, as an editor shows a file. */
function sameText(a, b) {
  const norm = (s) => s.replace(/\r\n/g, '\n').replace(/\s+$/, '');
  return norm(a) === norm(b);
}

/** Waits until the panel shows the run on `functionName` in `phase` (not an earlier run's). */
async function waitForRun(page, functionName, phase, timeout = 90_000) {
  const header = panelFrame(page)
    .locator('[data-testid="run-header"]')
    .filter({ has: panelFrame(page).locator('[data-testid="run-function"]', { hasText: functionName }) })
    .filter({ has: panelFrame(page).locator('[data-testid="run-phase"]', { hasText: phase }) });
  await waitForOrError(page, header, timeout);
}

async function expectEditorText(page, predicate, what, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = await editorText(page);
    if (predicate(text)) return text;
    await page.waitForTimeout(200);
  }
  throw new Error(`the editor does not show ${what}; it shows:\n${text}`);
}

async function clickPanelButton(page, testId) {
  const button = panelFrame(page).locator(`[data-testid="${testId}"]`);
  await waitForOrError(page, button, 15_000);
  await button.click();
}

/** Reverts the active editor's unsaved changes and closes every editor. */
async function revertAndCloseAll(page) {
  await runCommand(page, 'View: Revert and Close Editor').catch(() => {});
  await runCommand(page, 'View: Close All Editors').catch(() => {});
}

const optimizePython = {
  name: 'optimize-python',
  async run({ page, model, useSettings, useTheme, shoot }) {
    await useSettings({ 'afterburner.optimize.iterations': 2, 'afterburner.optimize.candidates': 1 });
    model.server.enqueue(model.replies.code('python', FASTER_PAIRS), model.replies.code('python', COUNTER_PAIRS));
    const asked = model.chatRequests().length;

    await openFile(page, 'pairs.py');
    await contextMenuOnLine(page, 'def count_pairs', /Optimize efficiency/);
    const frame = panelFrame(page);
    // The charts and the iteration rows fill while the run goes.
    await waitForOrError(page, frame.locator('[data-testid="runtime-chart"]'), 60_000);
    await waitForOrError(page, frame.locator('[data-testid="iteration-1"]'), 60_000);
    await waitForRun(page, 'count_pairs', 'Improved');
    await frame.locator('[data-testid="iteration-2"]').waitFor({ timeout: 5000 });
    await frame.locator('[data-testid="memory-chart"]').waitFor({ timeout: 5000 });
    // Beside the isolation: the Python that ran the tests, its version, and why that one.
    const python = (await frame.locator('[data-testid="run-interpreter"]').innerText()).trim();
    if (!/\(3\.\d+\.\d+\) — (python3 on PATH|the Docker image's Python)/.test(python))
      throw new Error(`the panel does not name the Python that ran and why: "${python}"`);

    const requests = model.chatRequests().slice(asked);
    if (requests.length !== 2) throw new Error(`expected 2 model requests, saw ${requests.length}`);
    for (const request of requests) {
      if (request.headers.authorization !== `Bearer ${E2E_API_KEY}`)
        throw new Error('the API key from the environment did not reach the model');
      const prompt = (request.body?.messages ?? []).map((m) => m.content).join('\n');
      if (!prompt.includes('count_pairs')) throw new Error('the prompt does not show the function');
    }
    await shoot('optimize-python', 'panel');

    // High contrast: the panel's text keeps a high contrast to its background and the charts draw.
    await useTheme('hc');
    await screenshot(page, 'optimize-python-hc', sideBar(page));
    const report = await highContrastReport(frame);
    if (report.problems.length > 0) throw new Error(`in the high-contrast theme: ${report.problems.join('; ')}`);
    await useTheme('dark');
  },
};

const FASTER_RESTOCK = `def restock_order(sales, stock, minimum):
    """Items to reorder, most sold first: those whose stock fell below \`minimum\`."""
    sold = {}
    for name, quantity in sales:
        sold[name] = sold.get(name, 0) + quantity
    low = [(sold.get(item, 0), item) for item in stock if stock[item] < minimum]
    low.sort(key=lambda pair: (-pair[0], pair[1]))
    return [item for _, item in low]`;

/**
 * A function of a project laid out as people lay them out (inventory/: pyproject.toml with pytest's
 * pythonpath and testpaths, an src layout, a package that re-exports the function, tests outside
 * the package calling it through the package, a helper module beside the tests): the run sees the
 * project in place from its root, and records the calls made through the re-export.
 */
const optimizePythonProject = {
  name: 'optimize-python-project',
  async run({ page, model, useSettings, server }) {
    await useSettings({ 'afterburner.optimize.iterations': 1, 'afterburner.optimize.candidates': 1 });
    model.server.enqueue(model.replies.code('python', FASTER_RESTOCK, 'Sum the sales once per item:'));
    const stockFile = path.join(server.workspace, 'inventory', 'src', 'inventory', 'stock.py');
    const before = readFileSync(stockFile, 'utf8');
    await openFile(page, 'stock.py');
    await contextMenuOnLine(page, 'def restock_order', /Optimize efficiency/);
    const frame = panelFrame(page);
    await waitForOrError(page, frame.locator('[data-testid="iteration-1"]'), 120_000);
    await waitForRun(page, 'restock_order', 'Improved', 120_000);
    const isolation = (await frame.locator('body').innerText()).replace(/\s+/g, ' ');
    if (!/inventory read-only at its own path/.test(isolation))
      throw new Error(`the panel does not say the project ran in place: ${isolation.slice(0, 1500)}`);
    if (readFileSync(stockFile, 'utf8') !== before) throw new Error('the run changed stock.py on disk');
    await revertAndCloseAll(page);
  },
  cleanup: revertAndCloseAll,
};

const FASTER_SERVED = `export function servedStops(trips: readonly (readonly Stop[])[]): string[] {
  const served = new Set<string>();
  for (const trip of trips) for (const stop of trip) served.add(stopKey(stop.code));
  return [...served];
}`;

/**
 * A function of a TypeScript project as people lay them out (routes/: its own package.json, jest
 * with ts-jest, an \`@/\` alias in moduleNameMapper and tsconfig paths, tests in __tests__/, the
 * module importing a helper from another folder, node_modules installed (run.mjs)): the run
 * sees the project from its root and runs the tests with the project's jest and config.
 */
const optimizeTypescriptProject = {
  name: 'optimize-typescript-project',
  async run({ page, model, useSettings, server }) {
    await useSettings({ 'afterburner.optimize.iterations': 1, 'afterburner.optimize.candidates': 1 });
    const project = path.join(server.workspace, 'routes');
    model.server.enqueue(model.replies.code('typescript', FASTER_SERVED, 'Keep the keys in a Set:'));
    const stopsFile = path.join(project, 'src', 'network', 'stops.ts');
    const before = readFileSync(stopsFile, 'utf8');
    await openFile(page, 'stops.ts');
    await contextMenuOnLine(page, 'export function servedStops', /Optimize efficiency/);
    const frame = panelFrame(page);
    await waitForOrError(page, frame.locator('[data-testid="iteration-1"]'), 120_000);
    await waitForRun(page, 'servedStops', 'Improved', 120_000);
    const text = (await frame.locator('body').innerText()).replace(/\s+/g, ' ');
    // Both tests ran under the project's jest: the alias resolved, the helper outside the folder loaded.
    if (!/2 passed, 0 failed/.test(text))
      throw new Error(`the panel does not show both tests passing: ${text.slice(0, 1500)}`);
    if (readFileSync(stopsFile, 'utf8') !== before) throw new Error('the run changed stops.ts on disk');
    await revertAndCloseAll(page);
  },
  cleanup: revertAndCloseAll,
};

/**
 * What falls short in the panel under the current theme: text whose WCAG contrast ratio to the
 * background behind it is under 7:1 (high-contrast themes are meant for that), or a chart that
 * drew nothing but its background.
 */
async function highContrastReport(frame) {
  return frame.locator('body').evaluate((body) => {
    const rgb = (css) => {
      const m = css.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/);
      return m ? { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] } : undefined;
    };
    const hex = (css) => {
      const m = css.match(/^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i);
      return m ? { r: parseInt(m[1], 16), g: parseInt(m[2], 16), b: parseInt(m[3], 16), a: 1 } : undefined;
    };
    const luminance = ({ r, g, b }) => {
      const lin = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const backgroundOf = (el) => {
      for (let node = el; node; node = node.parentElement) {
        const bg = rgb(globalThis.getComputedStyle(node).backgroundColor);
        if (bg && bg.a > 0.5) return bg;
      }
      // Nothing painted in the webview: the side bar's own background shows through.
      const sideBar = globalThis.getComputedStyle(body).getPropertyValue('--vscode-sideBar-background').trim();
      return rgb(sideBar) ?? hex(sideBar);
    };
    const problems = [];
    const texts = [...body.querySelectorAll('[data-testid]')].filter(
      (el) => el.innerText?.trim() && el.getBoundingClientRect().height > 0,
    );
    if (texts.length < 5) problems.push(`only ${texts.length} labelled elements with text`);
    for (const el of texts) {
      const fg = rgb(globalThis.getComputedStyle(el).color);
      const bg = backgroundOf(el);
      if (!fg || !bg) continue;
      const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      if (ratio < 7) problems.push(`${el.dataset.testid} has contrast ${ratio.toFixed(1)}:1`);
    }
    const charts = [...body.querySelectorAll('canvas')].filter((canvas) => canvas.getBoundingClientRect().height > 0);
    if (charts.length < 2) problems.push(`${charts.length} charts shown`);
    for (const canvas of charts) {
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0) continue;
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let drawn = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
      if (drawn < 200)
        problems.push(`the chart ${canvas.parentElement?.dataset.testid ?? ''} drew only ${drawn} pixels`);
    }
    return { problems, checked: texts.length };
  });
}

/** Waits for the inline view of an iteration: both versions' lines, marked, with Accept/Reject above. */
async function waitForInlineView(page, removedText, addedText) {
  const editor = activeEditor(page);
  await page
    .locator('.tabs-container .tab.active', { hasText: /iteration \d+ · \w+\.(py|ts)/ })
    .waitFor({ timeout: 15_000 });
  await waitForOrError(page, editor.locator('.codelens-decoration a', { hasText: 'Accept' }), 15_000);
  await expectEditorText(
    page,
    (text) => text.includes(removedText) && text.includes(addedText),
    'both versions in the inline view',
  );
  // The gutter marks the removed (−) and added (+) lines.
  const marks = await editor.locator('.cgmr').count();
  if (marks < 2) {
    const margin = await editor
      .locator('.margin')
      .first()
      .innerHTML()
      .catch(() => '');
    throw new Error(`the inline view marks ${marks} lines in the gutter: ${margin.slice(0, 3000)}`);
  }
  if (
    (await page.locator('.monaco-diff-editor').count()) > 0 &&
    (await page.locator('.monaco-diff-editor').first().isVisible())
  ) {
    throw new Error('Show diff opened the side-by-side editor, not the inline view');
  }
}

const diffAcceptUndo = {
  name: 'diff-accept-undo',
  requires: ['optimize-python'],
  async run({ page, server, shoot }) {
    // Show diff: the inline view, in the file's language, with Accept / Reject right there.
    await clickPanelButton(page, 'show-diff-1');
    await waitForInlineView(page, 'for j in range', 'seen.get(target - value, 0)');
    await shoot('diff-inline', 'page', ['light', 'dark', 'hc']);
    if (!sameText(readFileSync(path.join(server.workspace, 'pairs.py'), 'utf8'), fixture('pairs.py'))) {
      throw new Error('showing the diff changed pairs.py');
    }

    // Side by side on request, and back.
    await clickCodeLens(page, 'Side by side');
    const diff = page.locator('.monaco-diff-editor');
    await waitForOrError(page, diff, 15_000);
    await diff.locator('.char-insert, .line-insert').first().waitFor({ timeout: 10_000 });
    await shoot('diff', 'page');
    await runCommand(page, 'Afterburner: Show diff inline');
    await waitForInlineView(page, 'for j in range', 'seen.get(target - value, 0)');

    // Accept from the inline view itself.
    await clickCodeLens(page, 'Accept');
    await panelFrame(page)
      .locator('[data-testid="iteration-1-decision"]', { hasText: 'Applied' })
      .waitFor({ timeout: 15_000 });
    await page.locator('.tabs-container .tab.active', { hasText: 'pairs.py' }).waitFor({ timeout: 10_000 });
    await expectEditorText(
      page,
      (text) => text.includes('seen.get(target - value, 0)') && !text.includes('for j in range'),
      'the accepted code',
    );
    if ((await page.locator('.tabs-container .tab', { hasText: 'pairs.py' }).count()) !== 1) {
      throw new Error('the inline view stayed open after Accept');
    }
    await shoot('accepted', 'page');

    // One undo puts the original back.
    await activeEditor(page).locator('.view-lines').click();
    await page.keyboard.press('Control+z');
    await expectEditorText(page, (text) => sameText(text, fixture('pairs.py')), 'the original file after one undo');
    // The panel follows the document: the iteration is no longer applied, and offers Accept again.
    const frame = panelFrame(page);
    await frame.locator('[data-testid="accept-1"]').waitFor({ timeout: 10_000 });
    if ((await frame.locator('[data-testid="iteration-1-decision"]').count()) !== 0)
      throw new Error('the panel still marks iteration 1 after the undo of its Accept');
    // Accept edits the document, it does not save it: the file on disk never changed.
    if (!sameText(readFileSync(path.join(server.workspace, 'pairs.py'), 'utf8'), fixture('pairs.py'))) {
      throw new Error('pairs.py on disk changed although nothing was saved');
    }
    await revertAndCloseAll(page);
  },
  cleanup: revertAndCloseAll,
};

const WRONG_PAIRS = `def count_pairs(values, target):
    """Number of index pairs i < j with values[i] + values[j] == target."""
    return len(values)`;

const repairAndExplain = {
  name: 'repair-explain',
  requires: ['optimize-python'],
  async run({ page, model, useSettings, shoot }) {
    await useSettings({
      'afterburner.optimize.iterations': 4,
      'afterburner.optimize.candidates': 1,
      'afterburner.optimize.patience': 0,
    });
    model.server.enqueue(
      // Past the adapter's wait cap: the 429 reaches the loop, which repairs in the next iteration.
      model.replies.status(429, { 'retry-after': '120' }, 'Rate limit reached for requests'),
      model.replies.prose(),
      model.replies.code('python', WRONG_PAIRS, 'Counting the values is enough.'),
      model.replies.code(
        'python',
        FASTER_PAIRS,
        'One pass with a dictionary of the values seen so far replaces the nested loops.',
      ),
    );
    const asked = model.chatRequests().length;
    await openFile(page, 'pairs.py');
    await contextMenuOnLine(page, 'def count_pairs', /Optimize efficiency/);
    const frame = panelFrame(page);
    // The earlier run on count_pairs also ended Improved, with two iterations: wait for this one's fourth.
    await waitForOrError(page, frame.locator('[data-testid="iteration-4"]'), 180_000);
    await waitForRun(page, 'count_pairs', 'Improved', 120_000);
    const explanation = frame.locator('[data-testid="candidate-4-1-explanation"]');
    await waitForOrError(page, explanation, 10_000);
    const text = await explanation.innerText();
    if (!text.includes('One pass with a dictionary of the values seen so far'))
      throw new Error(`the panel does not show the model's explanation: ${text}`);
    if (!/The original spent \d+ % of its time on line \d+/.test(text))
      throw new Error(`the panel does not show the measured hot lines: ${text}`);
    const head = await frame.locator('[data-testid="iteration-4"] .iteration-head').innerText();
    if (!/faster, peak memory/.test(head)) throw new Error(`iteration 4 does not say its change in words: ${head}`);
    const history = await frame.locator('[data-testid="run-history"] [aria-current="true"]').innerText();
    if (!/faster, peak memory/.test(history))
      throw new Error(`the past-runs list does not say the best's change in words: ${history}`);
    const panel = await frame.locator('body').innerText();
    if (/×\d/.test(panel)) throw new Error(`the panel shows a bare ratio: ${panel}`);
    const prompts = model
      .chatRequests()
      .slice(asked)
      .map((r) => (r.body?.messages ?? []).map((m) => m.content).join('\n'));
    if (prompts.length !== 4) throw new Error(`expected 4 model requests, saw ${prompts.length}`);
    if (!prompts[1].includes('HTTP 429')) throw new Error('the second prompt does not carry the 429');
    if (!prompts[2].includes('no code in the reply')) throw new Error('the third prompt does not carry the prose miss');
    if (!prompts[3].includes('test_')) throw new Error('the fourth prompt does not carry the failing test');
    // The screenshot shows the fast candidate with its explanation, the misses above it.
    await frame.locator('[data-testid="iteration-3"]').scrollIntoViewIfNeeded();
    await shoot('repair-explain', 'panel');
    await revertAndCloseAll(page);
  },
  cleanup: revertAndCloseAll,
};

const optimizeTypescriptAndReject = {
  name: 'optimize-typescript-reject',
  async run({ page, model, useSettings, shoot }) {
    await useSettings({ 'afterburner.optimize.iterations': 1, 'afterburner.optimize.candidates': 1 });
    model.server.enqueue(model.replies.code('typescript', FASTER_UNIQUE));
    await openFile(page, 'uniqueSorted.ts');
    await contextMenuOnLine(page, 'export function uniqueSorted', /Optimize efficiency/);
    await waitForRun(page, 'uniqueSorted', 'Improved');
    await shoot('optimize-typescript', 'panel');

    // Reject from the inline view: it closes, and the file is as it was.
    await clickPanelButton(page, 'show-diff-1');
    await waitForInlineView(page, 'result.includes(value)', 'new Set(values)');
    await clickCodeLens(page, 'Reject');
    await panelFrame(page)
      .locator('[data-testid="iteration-1-decision"]', { hasText: 'Rejected' })
      .waitFor({ timeout: 15_000 });
    await page.locator('.codelens-decoration a', { hasText: 'Accept' }).waitFor({ state: 'detached', timeout: 10_000 });
    await openFile(page, 'uniqueSorted.ts');
    await expectEditorText(
      page,
      (text) => sameText(text, fixture('uniqueSorted.ts')),
      'the unchanged file after Reject',
    );
    await shoot('rejected', 'panel');
    await runCommand(page, 'View: Close All Editors');
  },
  cleanup: revertAndCloseAll,
};

const cancelRun = {
  name: 'cancel-run',
  async run({ page, model, useSettings, shoot }) {
    await useSettings({ 'afterburner.optimize.iterations': 1, 'afterburner.optimize.candidates': 1 });
    // The model never answers: the run waits on it until the person cancels.
    model.server.enqueue({ kind: 'hang' });
    const asked = model.chatRequests().length;
    await openFile(page, 'pairs.py');
    await contextMenuOnLine(page, 'def count_pairs', /Optimize efficiency/);
    await waitForRun(page, 'count_pairs', 'Running', 30_000);
    const deadline = Date.now() + 60_000;
    while (model.chatRequests().length === asked && Date.now() < deadline) await page.waitForTimeout(200);
    if (model.chatRequests().length === asked) throw new Error('the run never asked the model');
    const toast = await notification(page, /optimizing count_pairs/, 15_000);
    await shoot('running', 'page');
    await toast.getByRole('button', { name: 'Cancel' }).click();
    await waitForRun(page, 'count_pairs', 'Cancelled', 30_000);
    await shoot('cancelled', 'panel');
    await runCommand(page, 'View: Close All Editors');
  },
  cleanup: revertAndCloseAll,
};

const profileWithoutModel = {
  name: 'profile-without-model',
  async run({ page, model, useSettings, shoot }) {
    // No model chosen; the endpoint stays the scripted server, so a request to it would show.
    // The Python named in the setting runs the tests: a venv made here, seeing the system's packages.
    const venv = mkdtempSync(path.join(tmpdir(), 'afterburner-e2e-venv-'));
    execFileSync('python3', ['-m', 'venv', '--without-pip', '--system-site-packages', venv]);
    const venvPython = path.join(venv, 'bin', 'python3');
    await useSettings({ 'afterburner.llm.model': '', 'afterburner.python.interpreter': venvPython });
    const asked = model.chatRequests().length;
    await openFile(page, 'pairs.py');
    await contextMenuOnLine(page, 'def count_pairs', /Profile function/);
    await waitForRun(page, 'count_pairs', 'Profiled', 60_000);
    const runtime = panelFrame(page).locator('[data-testid="baseline-runtime"]');
    await runtime.waitFor({ timeout: 5000 });
    if (!/median .* 10th percentile /.test(await runtime.innerText()))
      throw new Error('the profile shows no median and 10th percentile runtime');
    const python = (await panelFrame(page).locator('[data-testid="run-interpreter"]').innerText()).trim();
    if (!python.startsWith(`${venvPython} (3.`) || !python.endsWith('the setting afterburner.python.interpreter'))
      throw new Error(`the run did not use the Python the setting names: "${python}"`);
    if (model.chatRequests().length !== asked) throw new Error('profiling asked the model');
    await shoot('profile', 'panel');
    await useSettings({});
    rmSync(venv, { recursive: true, force: true });
    await runCommand(page, 'View: Close All Editors');
  },
  cleanup: revertAndCloseAll,
};

export const journeyScenarios = [
  optimizePython,
  diffAcceptUndo,
  repairAndExplain,
  optimizeTypescriptAndReject,
  cancelRun,
  profileWithoutModel,
  optimizePythonProject,
  optimizeTypescriptProject,
];
