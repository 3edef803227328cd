// Hot functions: "Afterburner: Find hot functions" runs the workspace's tests under a profiler in
// the sandbox, the panel's Hot functions section ranks the functions with share bars, and
// Optimize on the first entry starts an optimization run on that function.
import { notification, panelFrame, runCommand, screenshot, sideBar, waitForOrError } from '../driver.mjs';

async function waitForRun(page, functionName, phase, timeout) {
  const frame = panelFrame(page);
  const header = frame
    .locator('[data-testid="run-header"]')
    .filter({ has: frame.locator('[data-testid="run-function"]', { hasText: functionName }) })
    .filter({ has: frame.locator('[data-testid="run-phase"]', { hasText: phase }) });
  await waitForOrError(page, header, timeout);
}

export const hotspotsScenario = {
  name: 'hotspots',
  async run({ page, model, useSettings, shoot }) {
    await useSettings({ 'afterburner.optimize.iterations': 1, 'afterburner.optimize.candidates': 1 });
    await runCommand(page, 'Afterburner: Find hot functions');
    const frame = panelFrame(page);
    const first = frame.locator('[data-testid="hot-function-0-0"]');
    await waitForOrError(page, first, 120_000);
    const name = (await first.locator('.hot-name').innerText()).trim();
    const share = (await first.locator('[data-testid="hot-share"]').innerText()).trim();
    if (!/^\d+(\.\d)? %$/.test(share)) throw new Error(`the first hot function shows no share: "${share}"`);
    const link = (await frame.locator('[data-testid="hot-open-0-0"]').innerText()).trim();
    if (!/^[\w./-]+\.(py|ts):\d+$/.test(link))
      throw new Error(`the first hot function has no file:line link: "${link}"`);
    await frame.locator('[data-testid="hotspots-section"]').scrollIntoViewIfNeeded();
    await shoot('hotspots', 'panel');

    // The run this starts waits on the model until it is cancelled below. It is cancelled only once
    // it asked: a reply left in the queue would be served to the next scenario's run.
    model.server.enqueue({ kind: 'hang' });
    const asked = model.chatRequests().length;
    await frame.locator('[data-testid="hot-optimize-0-0"]').click();
    await waitForRun(page, name, 'Running', 60_000);
    await screenshot(page, 'hotspots-optimize-started', sideBar(page));
    const deadline = Date.now() + 90_000;
    while (model.chatRequests().length === asked && Date.now() < deadline) await page.waitForTimeout(200);
    if (model.chatRequests().length === asked)
      throw new Error('the run started from Hot functions never asked the model');
    const toast = await notification(page, new RegExp(`optimizing ${name.replace(/[.$]/g, '\\$&')}`), 30_000);
    await toast.getByRole('button', { name: 'Cancel' }).click();
    await waitForRun(page, name, 'Cancelled', 30_000);
    await runCommand(page, 'View: Close All Editors');
  },
  async cleanup({ page }) {
    await runCommand(page, 'View: Revert and Close Editor').catch(() => {});
    await runCommand(page, 'View: Close All Editors').catch(() => {});
  },
};
