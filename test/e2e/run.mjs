// End-to-end tests in a real VS Code: code-server serves the workbench, Debian's Chromium shows
// it (driven by playwright-core), and the packaged .vsix is installed like a user would.
// `npm run test:e2e`, or `node test/e2e/run.mjs [REGEX]` to run the scenarios whose name matches.
// Screenshots (light and dark theme, some in high contrast too) and the code-server log land in test/e2e/artifacts/.
// With AFTERBURNER_REQUIRE_E2E=1 a missing browser or a failed code-server install fails the
// run; otherwise it prints "e2e skipped: <reason>" and exits 0.
// The last line is always "N passed, N failed".
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { setTimeout } from 'node:timers';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer } from './setupCodeServer.mjs';
import { startCodeServer } from './codeServer.mjs';
import {
  ARTIFACTS_DIR,
  CHROMIUM_PATH,
  THEMES,
  closeWorkbench,
  launchBrowser,
  openWorkbench,
  screenshot,
  sideBar,
  waitForTheme,
} from './driver.mjs';
import { VSIX_PATH, packageVsix, vsixIsStale } from './vsix.mjs';
import { vsixContentsScenario } from './scenarios/vsixContents.mjs';
import { panelScenario } from './scenarios/panel.mjs';
import { journeyScenarios } from './scenarios/journey.mjs';
import { growthScenarios } from './scenarios/growth.mjs';
import { hotspotsScenario } from './scenarios/hotspots.mjs';
import { extensionHostSuiteScenario } from './scenarios/extensionHostSuite.mjs';
import { startScriptedModel } from './scriptedModel.mjs';

const required = process.env.AFTERBURNER_REQUIRE_E2E === '1';
const filter = process.argv[2];
const here = path.dirname(fileURLToPath(import.meta.url));
const workspaceFixture = path.join(here, 'workspace');
const results = [];
const started = Date.now();

function log(line) {
  process.stdout.write(`${line}\n`);
}

function finish() {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  log(`e2e took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

/** A prerequisite is missing: fail when e2e is required, else skip saying why. */
function unavailable(reason) {
  if (required) {
    log(`e2e FAILED (AFTERBURNER_REQUIRE_E2E=1): ${reason}`);
    results.push({ name: 'prerequisites', ok: false });
  } else {
    log(`e2e skipped: ${reason}`);
  }
  finish();
}

async function runScenario(scenario, context) {
  if (filter && !new RegExp(filter).test(scenario.name)) return;
  const t0 = Date.now();
  const missing = (scenario.requires ?? []).filter((name) => !results.some((r) => r.name === name && r.ok));
  if (missing.length > 0) {
    results.push({ name: scenario.name, ok: false });
    log(`FAIL ${scenario.name} (not run: needs ${missing.join(', ')})`);
    return;
  }
  // Each scenario queues the replies its run asks for; one that failed early must not leave
  // its replies to the next.
  context.model?.server.discard();
  try {
    await scenario.run(context);
    results.push({ name: scenario.name, ok: true });
    log(`ok   ${scenario.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (error) {
    results.push({ name: scenario.name, ok: false });
    const where =
      String(error?.stack ?? '')
        .split('\n')
        .find((line) => line.includes('/test/e2e/')) ?? '';
    log(
      `FAIL ${scenario.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n     ${String(error?.message ?? error)
        .split('\n')
        .slice(0, 25)
        .join('\n     ')}\n   ${where.trim()}`,
    );
    if (context.page) {
      await screenshot(context.page, `failed-${scenario.name}`).catch(() => {});
    }
    await scenario.cleanup?.(context).catch(() => {});
  }
}

// Artifacts describe this run only.
rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
mkdirSync(ARTIFACTS_DIR, { recursive: true });

let model;
let server;
let browser;
// Every wait below has its own limit; this one catches whatever slips through them.
setTimeout(async () => {
  log('FAIL e2e run exceeded 10 minutes');
  results.push({ name: 'time limit', ok: false });
  await server?.stop().catch(() => {});
  finish();
}, 600_000).unref();

if (vsixIsStale()) {
  log('packaging the extension…');
  const packaged = packageVsix();
  if (packaged.kind === 'failed') {
    log(`FAIL package\n${packaged.output}`);
    results.push({ name: 'package', ok: false });
    finish();
  }
}
await runScenario(vsixContentsScenario, {});

if (!existsSync(CHROMIUM_PATH)) unavailable(`no browser at ${CHROMIUM_PATH} (apt-get install chromium)`);
const install = await ensureCodeServer({ log });
if (install.kind === 'failed') unavailable(`code-server is not available: ${install.reason}`);

/** Settings of the journey (with the scripted model's): the local sandbox, runtime as the goal. */
const JOURNEY_SETTINGS = {
  'afterburner.sandbox.backend': 'local',
  'afterburner.sandbox.timeoutSeconds': 60,
  'afterburner.optimize.goal': 'time',
};

try {
  model = await startScriptedModel();
  server = await startCodeServer({
    entry: install.entry,
    vsix: VSIX_PATH,
    workspaceFixture,
    settings: { ...model.settings, ...JOURNEY_SETTINGS, 'workbench.colorTheme': THEMES.dark },
    env: model.env,
  });
  // The TypeScript project routes/ as `npm ci` leaves it: this repository's node_modules holds its
  // jest and ts-jest, pinned by the lockfile.
  symlinkSync(path.join(here, '..', '..', 'node_modules'), path.join(server.workspace, 'routes', 'node_modules'));
  browser = await launchBrowser();
  const page = await openWorkbench(browser, server.url, 'pairs.py');
  let theme = 'dark';
  let scenarioSettings = {};
  let generation = 0;
  // The window title carries a counter, so the page shows when VS Code has read the new file.
  const applySettings = async () => {
    generation += 1;
    const marker = `[settings ${generation}]`;
    server.writeWorkspaceSettings({
      ...model.settings,
      ...JOURNEY_SETTINGS,
      ...scenarioSettings,
      'workbench.colorTheme': THEMES[theme],
      'window.title': `\${rootName} ${marker}`,
    });
    await page.waitForFunction((text) => globalThis.document.title.includes(text), marker, { timeout: 15_000 });
    // The extension host hears of the change right after the window does.
    await page.waitForTimeout(300);
  };
  const useTheme = async (name) => {
    if (name !== theme) {
      theme = name;
      await applySettings();
    }
    await waitForTheme(page, theme);
  };
  const context = {
    page,
    server,
    model,
    browser,
    /** Replaces the scenario's workspace settings and waits until the workbench has them. */
    async useSettings(extra) {
      scenarioSettings = extra;
      await applySettings();
    },
    /** Switches the workbench to THEMES[name] and waits until it and the panel show it. */
    useTheme,
    /**
     * Screenshots NAME-light.png and NAME-dark.png (or NAME-THEME.png for each of `themes`) of the
     * page or the side bar holding the panel; the current theme goes first, and stays after.
     */
    async shoot(name, target, themes = ['light', 'dark']) {
      // High contrast is never left on for the scenarios that follow.
      const rest = themes.filter((t) => t !== theme).sort((a, b) => (a === 'hc' ? -1 : b === 'hc' ? 1 : 0));
      const order = themes.includes(theme) ? [theme, ...rest] : rest;
      for (const next of order) {
        await useTheme(next);
        await screenshot(page, `${name}-${theme}`, target === 'panel' ? sideBar(page) : undefined);
      }
    },
  };
  await runScenario(panelScenario, context);
  await runScenario(hotspotsScenario, context);
  for (const scenario of journeyScenarios) await runScenario(scenario, context);
  for (const scenario of growthScenarios) await runScenario(scenario, context);
  await closeWorkbench(page);
  await runScenario(extensionHostSuiteScenario, { browser, server });
} catch (error) {
  results.push({ name: 'workbench', ok: false });
  log(`FAIL workbench: ${String(error?.stack ?? error)}`);
} finally {
  await browser?.close().catch(() => {});
  if (server) {
    copyFileSync(server.logFile, path.join(ARTIFACTS_DIR, 'code-server.log'));
    await server.stop();
  }
  await model?.stop();
}
finish();
