// Stage three: growth with input size. Profile a Python and a TypeScript function whose tests
// define afterburner_inputs(size) and see the growth charts and the fitted class; then have the scripted
// model propose a generator for a function without one, review it as a diff, add it to the tests
// and profile at the configured sizes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  activeEditor,
  contextMenuOnLine,
  editorText,
  notification,
  openFile,
  panelFrame,
  runCommand,
  waitForOrError,
} from '../driver.mjs';

const fixture = (name) =>
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workspace', name), 'utf8');

/** Small sizes: the quadratic fixtures stay well inside the time limit, and 5 sizes allow a fit. */
const GROWTH_SETTINGS = { 'afterburner.profile.sizes': [50, 100, 200, 400, 800] };

const PROPOSED_GENERATOR = `import random


def afterburner_inputs(size):
    rng = random.Random(size)
    return ([rng.randint(-100, 100) for _ in range(size)], max(1, size // 10))`;

async function waitForProfiled(page, functionName, timeout = 90_000) {
  const frame = panelFrame(page);
  const header = frame
    .locator('[data-testid="run-header"]')
    .filter({ has: frame.locator('[data-testid="run-function"]', { hasText: functionName }) })
    .filter({ has: frame.locator('[data-testid="run-phase"]', { hasText: 'Profiled' }) });
  await waitForOrError(page, header, timeout);
}

/** The growth section once its summary names a fitted time class; returns the summary text. */
async function waitForGrowth(page, timeout = 30_000) {
  const frame = panelFrame(page);
  const summary = frame.locator('[data-testid="growth-summary"]', { hasText: /time ≈ / });
  await waitForOrError(page, summary, timeout);
  const chart = frame.locator('canvas[data-testid="growth-chart"][aria-label="Runtime by input size"]');
  await chart.waitFor({ state: 'visible', timeout: 5000 });
  const box = await chart.boundingBox();
  if (!box || box.width < 100 || box.height < 100)
    throw new Error(`the growth chart is not drawn at a readable size (${JSON.stringify(box)})`);
  await frame.locator('canvas[data-testid="growth-memory-chart"]').waitFor({ state: 'visible', timeout: 5000 });
  return summary.innerText();
}

async function closeEverything(page) {
  await runCommand(page, 'File: Revert File').catch(() => {});
  await runCommand(page, 'View: Close All Editors').catch(() => {});
}

const profileGrowth = {
  name: 'growth-profile',
  async run({ page, useSettings, shoot }) {
    await useSettings(GROWTH_SETTINGS);
    await openFile(page, 'duplicates.py');
    await contextMenuOnLine(page, 'def count_duplicates', /Profile function/);
    await waitForProfiled(page, 'count_duplicates');
    const summary = await waitForGrowth(page);
    // Every pair of distinct values is compared: nothing near linear can describe that.
    if (!/^time ≈ (n²|n³|2ⁿ|n log n)/.test(summary))
      throw new Error(`a quadratic function was summarised as: ${summary}`);
    const original = panelFrame(page).locator('[data-testid="growth-original"]');
    await original.waitFor({ timeout: 5000 });
    if (!/at n = 800/.test(await original.innerText())) throw new Error('the largest size is not reported');
    // The section sits below the run's charts: bring it into the cropped side bar.
    await panelFrame(page)
      .locator('[data-testid="growth-section"]')
      .evaluate((section) => section.scrollIntoView({ block: 'start' }));
    await shoot('growth', 'panel');
    await runCommand(page, 'View: Close All Editors');
  },
  cleanup: closeEverything,
};

const FASTER_DUPLICATES = `def count_duplicates(values):
    """Number of values equal to some earlier value."""
    seen = set()
    count = 0
    for value in values:
        if value in seen:
            count += 1
        else:
            seen.add(value)
    return count`;

const DUPLICATES_WHY = 'A set of the values seen so far makes each membership test constant time.';

/** The best's growth change in its measured explanation: "time ≈ n² → n, … (fitted over input sizes …)". */
const GROWTH_CHANGE = /time ≈ [^,]+ → [^,]+.*\(fitted over input sizes 50, 100, 200, 400, 800\)/;

/**
 * Why the best is faster, where a person reads it: beside the candidate in the panel, in words
 * (the past-runs list too, and no bare ratio like "×0.19" anywhere), and in the inline diff's hover.
 */
async function expectExplainedBest(page) {
  const frame = panelFrame(page);
  const explanation = frame.locator('[data-testid="candidate-1-1-explanation"]', { hasText: GROWTH_CHANGE });
  await waitForOrError(page, explanation, 10_000);
  const text = await explanation.innerText();
  if (!text.includes(DUPLICATES_WHY)) throw new Error(`the panel does not show the model's explanation: ${text}`);
  const history = await frame.locator('[data-testid="run-history"] [aria-current="true"]').innerText();
  if (!/faster, peak memory .+ (higher|lower|about the same)/.test(history))
    throw new Error(`the past-runs list does not say the best's change in words: ${history}`);
  const panel = await frame.locator('body').innerText();
  const bare = /×\d/.exec(panel);
  if (bare)
    throw new Error(`the panel shows a bare ratio: …${panel.slice(Math.max(0, bare.index - 60), bare.index + 20)}…`);

  await frame.locator('[data-testid="show-diff-1"]').click();
  const added = activeEditor(page).locator('.view-line', { hasText: 'seen.add(value)' });
  await waitForOrError(page, added, 15_000);
  await added.locator('span > span').first().hover();
  const hover = page.locator('.monaco-hover', { hasText: 'Measured' }).first();
  await waitForOrError(page, hover, 10_000);
  // The hover's text comes as markdown whose spaces are non-breaking: compare words, not spaces.
  const said = (await hover.innerText()).replace(/\s+/g, ' ');
  if (!GROWTH_CHANGE.test(said) || !said.includes(DUPLICATES_WHY))
    throw new Error(`the inline diff's hover does not say why the best is faster: ${said}`);
}

const optimizeGrowth = {
  name: 'growth-optimize',
  async run({ page, model, useSettings, shoot }) {
    await useSettings({
      ...GROWTH_SETTINGS,
      'afterburner.optimize.iterations': 1,
      'afterburner.optimize.candidates': 1,
    });
    model.server.enqueue(model.replies.code('python', FASTER_DUPLICATES, DUPLICATES_WHY));
    await openFile(page, 'duplicates.py');
    await contextMenuOnLine(page, 'def count_duplicates', /Optimize efficiency/);
    const frame = panelFrame(page);
    const improved = frame
      .locator('[data-testid="run-header"]')
      .filter({ has: frame.locator('[data-testid="run-function"]', { hasText: 'count_duplicates' }) })
      .filter({ has: frame.locator('[data-testid="run-phase"]', { hasText: 'Improved' }) });
    await waitForOrError(page, improved, 90_000);
    // After the loop: the original and the best candidate, measured at the same sizes.
    const both = frame.locator('[data-testid="growth-summary"]', { hasText: /^time ≈ .+, best ≈ .+; memory ≈ / });
    await waitForOrError(page, both, 60_000);
    const summary = await both.innerText();
    if (!/^time ≈ (n²|n³|2ⁿ|n log n),/.test(summary))
      throw new Error(`the quadratic original was summarised as: ${summary}`);
    await frame.locator('[data-testid="growth-best"]', { hasText: /^Iteration 1: time ≈ / }).waitFor({ timeout: 5000 });
    await waitForGrowth(page, 5000);
    await expectExplainedBest(page);
    await runCommand(page, 'View: Close All Editors');
    await frame
      .locator('[data-testid="growth-section"]')
      .evaluate((section) => section.scrollIntoView({ block: 'start' }));
    await shoot('growth-optimize', 'panel');
    await closeEverything(page);
  },
  cleanup: closeEverything,
};

const proposeInputs = {
  name: 'growth-propose-inputs',
  async run({ page, model, server, useSettings, shoot }) {
    await useSettings(GROWTH_SETTINGS);
    model.server.enqueue(model.replies.code('python', PROPOSED_GENERATOR, 'Here is a generator:'));
    const asked = model.chatRequests().length;
    await openFile(page, 'window_sum.py');
    await activeEditor(page)
      .locator('.view-line', { hasText: 'def max_window_sum' })
      .first()
      .click({ position: { x: 60, y: 8 } });
    await runCommand(page, 'Afterburner: Propose input generator');

    // The proposal is a diff against the test file, and the file is untouched until "Add to tests".
    const diff = page.locator('.monaco-diff-editor');
    await waitForOrError(page, diff, 30_000);
    await diff.locator('.char-insert, .line-insert').first().waitFor({ timeout: 10_000 });
    const prompt = (model.chatRequests()[asked]?.body?.messages ?? []).map((m) => m.content).join('\n');
    if (!prompt.includes('max_window_sum') || !prompt.includes('afterburner_inputs'))
      throw new Error('the prompt does not show the function or ask for afterburner_inputs');
    const onDisk = () => readFileSync(path.join(server.workspace, 'test_window_sum.py'), 'utf8');
    if (onDisk() !== fixture('test_window_sum.py')) throw new Error('the test file changed before "Add to tests"');
    await shoot('growth-proposal', 'page');

    const ask = await notification(page, /add the proposed afterburner_inputs/, 15_000);
    await ask.getByRole('button', { name: 'Add to tests' }).click();
    const offer = await notification(page, /added afterburner_inputs to test_window_sum\.py/, 15_000);
    await offer.getByRole('button', { name: 'Profile with sizes' }).click();
    await waitForProfiled(page, 'max_window_sum');
    await waitForGrowth(page);
    // Added to the editor's document (one undo away), not saved.
    if (onDisk() !== fixture('test_window_sum.py')) throw new Error('"Add to tests" saved the test file');
    await openFile(page, 'test_window_sum.py');
    const text = await editorText(page);
    if (!text.includes('def afterburner_inputs(size):') || !text.includes('import random'))
      throw new Error(`the test file does not hold the generator:\n${text}`);
    await runCommand(page, 'File: Revert File');
    await runCommand(page, 'View: Close All Editors');
  },
  async cleanup({ page }) {
    await openFile(page, 'test_window_sum.py').catch(() => {});
    await closeEverything(page);
  },
};

const profileGrowthTypescript = {
  name: 'growth-profile-typescript',
  async run({ page, useSettings, shoot }) {
    // JIT-compiled code needs larger inputs than Python before its growth shows.
    await useSettings({ 'afterburner.profile.sizes': [200, 400, 800, 1600, 3200] });
    await openFile(page, 'inversions.ts');
    await contextMenuOnLine(page, 'export function countInversions', /Profile function/);
    await waitForProfiled(page, 'countInversions');
    const summary = await waitForGrowth(page);
    if (!/^time ≈ n²/.test(summary)) throw new Error(`a quadratic TypeScript function was summarised as: ${summary}`);
    const original = panelFrame(page).locator('[data-testid="growth-original"]');
    if (!/at n = 3200/.test(await original.innerText())) throw new Error('the largest size is not reported');
    await panelFrame(page)
      .locator('[data-testid="growth-section"]')
      .evaluate((section) => section.scrollIntoView({ block: 'start' }));
    await shoot('growth-typescript', 'panel');
    await runCommand(page, 'View: Close All Editors');
  },
  cleanup: closeEverything,
};

export const growthScenarios = [profileGrowth, profileGrowthTypescript, optimizeGrowth, proposeInputs];
