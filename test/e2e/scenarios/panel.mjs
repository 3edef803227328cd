// Stage one: the panel opens from the command palette and its webview renders.
import { panelFrame, resizeSideBar, runCommand, screenshot, waitForOrError } from '../driver.mjs';

export const panelScenario = {
  name: 'panel-renders',
  async run({ page }) {
    await runCommand(page, 'Afterburner: Show panel');
    // Before any run the panel says what it is for or offers its first step.
    const text = panelFrame(page).getByText(/afterburner|optimi[sz]e|profile|efficiency|right-click/i);
    await waitForOrError(page, text, 30_000);
    // Wider than the default, as people who watch the charts tend to make it.
    await resizeSideBar(page, 420);
    await screenshot(page, 'panel');
  },
};
