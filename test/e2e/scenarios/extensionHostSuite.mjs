// Runs test/vscode/suite.ts (the `npm run test:vscode` checks) inside code-server's extension
// host, loading the extension from this checkout like a desktop extension test would.
import { setTimeout as sleep } from 'node:timers/promises';
import { bundleVscodeSuite } from '../../vscode/bundleSuite.mjs';
import { REPO_ROOT } from '../vsix.mjs';
import { screenshot } from '../driver.mjs';

export const extensionHostSuiteScenario = {
  name: 'extension-host-suite',
  async run({ browser, server }) {
    const suite = await bundleVscodeSuite();
    const remote = (absolute) => `vscode-remote://127.0.0.1:${server.port}${absolute}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(REPO_ROOT)],
      ['extensionTestsPath', remote(suite)],
    ]);
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const lines = [];
    let settle;
    const exited = new Promise((resolve) => (settle = resolve));
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      lines.push((Array.isArray(args) ? args : [args]).map(String).join(' '));
    });
    await page.exposeFunction('codeAutomationExit', (code) => settle(code));
    try {
      await page.goto(
        `${server.url}/?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(payload)}`,
      );
      const code = await Promise.race([exited, sleep(90_000).then(() => 'timeout')]);
      const output = lines.filter((l) => /^(ok|FAIL)\s|passed, \d+ failed/.test(l)).join('\n     ');
      if (code !== 0) {
        await screenshot(page, 'failed-extension-host-suite-window').catch(() => {});
        throw new Error(`extension host suite ended with ${code}\n     ${output || lines.slice(-10).join('\n     ')}`);
      }
      process.stdout.write(`     ${output}\n`);
    } finally {
      await page.goto('about:blank').catch(() => {});
      await context.close().catch(() => {});
    }
  },
};
