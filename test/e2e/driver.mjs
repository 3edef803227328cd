// Drives the VS Code workbench in Chromium the way a person would: menus, the command palette,
// the explorer, the editor, and the Afterburner panel's webview.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

// Debian's Chromium; AFTERBURNER_CHROMIUM_PATH points elsewhere (e.g. another distribution's).
export const CHROMIUM_PATH = process.env.AFTERBURNER_CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
const EXTENSION_ID = 'afterburner.afterburner-vscode';

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Opens the workbench and waits until the explorer lists `expectFile`. */
export async function openWorkbench(browser, url, expectFile) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(url);
  await page
    .locator('.explorer-folders-view .monaco-list-row', { hasText: expectFile })
    .first()
    .waitFor({ timeout: 60_000 });
  return page;
}

/**
 * Navigating away before closing makes the workbench disconnect cleanly, so code-server stops
 * the extension host instead of keeping it for a reconnect.
 */
export async function closeWorkbench(page) {
  try {
    await page.goto('about:blank', { timeout: 10_000 });
  } catch {
    // the page may already be gone
  }
  await page
    .context()
    .close()
    .catch(() => {});
}

/** Runs a command by its palette title (e.g. "Afterburner: Show panel"). */
export async function runCommand(page, title) {
  const input = page.locator('.quick-input-widget input');
  let lastError;
  // F1 is sometimes swallowed while focus moves between parts; try again.
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 3000 });
      await input.fill(`>${title}`);
      await page
        .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title })
        .first()
        .waitFor({ timeout: 5000 });
      await page.keyboard.press('Enter');
      await input.waitFor({ state: 'hidden', timeout: 5000 });
      return;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`command palette could not run "${title}": ${lastError?.message ?? 'unknown'}`);
}

/** Opens a workspace file through Quick Open (the side bar may show the panel, not the explorer). */
export async function openFile(page, name) {
  const input = page.locator('.quick-input-widget input');
  let lastError;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 3000 });
      // Without the '>' prefix the palette searches files.
      await input.fill(name);
      const row = page
        .locator('.quick-input-widget .quick-input-list .monaco-list-row')
        .filter({
          has: page.locator('.label-name', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
        })
        .first();
      await row.waitFor({ timeout: 5000 });
      await row.click();
      await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 10_000 });
      const editor = activeEditor(page);
      await editor.locator('.view-lines').waitFor({ timeout: 10_000 });
      return editor;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`could not open ${name}: ${lastError?.message ?? 'unknown'}`);
}

/** The text editor that has focus in the editor area (not a diff side, not a webview). */
export function activeEditor(page) {
  return page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
}

/**
 * Right-clicks the line of the active editor containing `lineText` (which also places the
 * cursor there) and picks `menuItem` from the context menu.
 */
export async function contextMenuOnLine(page, lineText, menuItem) {
  const line = activeEditor(page).locator('.view-line', { hasText: lineText }).first();
  const item = page.getByRole('menuitem', { name: menuItem }).first();
  // On a busy machine the menu sometimes opens before the extension's items are in it, or not at
  // all: close it and right-click again.
  for (let attempt = 1; ; attempt++) {
    // Click on the text itself, a few characters in, so the cursor lands inside the signature.
    // Locator clicks re-find the line: Monaco re-renders lines while it tokenizes.
    await line.click({ position: { x: 40, y: 8 }, timeout: 10_000 });
    await line.click({ position: { x: 40, y: 8 }, button: 'right', timeout: 10_000 });
    try {
      await item.waitFor({ timeout: 10_000 });
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
  // A menu ignores a click that comes too soon after it opened (a guard against the releasing
  // right button); hover first, and fall back to Enter on the highlighted item.
  await item.hover();
  await page.waitForTimeout(300);
  await item.click();
  const menu = page.locator('.context-view .monaco-menu');
  if (
    !(await menu.waitFor({ state: 'hidden', timeout: 2000 }).then(
      () => true,
      () => false,
    ))
  ) {
    await item.hover();
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout: 5000 });
  }
}

/** Clicks the CodeLens link titled `title` (a string or RegExp) in the active editor. */
export async function clickCodeLens(page, title, timeout = 15_000) {
  const link = activeEditor(page).locator('.codelens-decoration a', { hasText: title }).first();
  await waitForOrError(page, link, timeout);
  await link.click();
}

/** The text of the active editor's model, read from VS Code's rendered lines. */
export async function editorText(page) {
  // Monaco renders only visible lines; the fixtures are short enough to fit the viewport.
  const lines = await activeEditor(page)
    .locator('.view-lines .view-line')
    .evaluateAll((nodes) =>
      nodes
        .map((n) => ({ top: parseFloat(n.style.top || '0'), text: (n.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text),
    );
  return lines.join('\n');
}

/** The Afterburner panel's content frame (outer webview iframe → inner active frame). */
export function panelFrame(page) {
  return page
    .frameLocator(`iframe.webview.ready[src*="purpose=webviewView"][src*="extensionId=${EXTENSION_ID}"]`)
    .frameLocator('#active-frame');
}

/** The side bar, which holds the panel's view (for cropped screenshots). */
export function sideBar(page) {
  return page.locator('.part.sidebar');
}

/** Drags the side bar's edge so it is `width` pixels wide (the panel's charts get room). */
export async function resizeSideBar(page, width) {
  const sidebar = await sideBar(page).boundingBox();
  if (!sidebar) throw new Error('the side bar is not visible');
  const edge = sidebar.x + sidebar.width;
  const sashes = await page.locator('.monaco-sash.vertical').evaluateAll((nodes) =>
    nodes.map((n) => {
      const r = n.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2, height: r.height };
    }),
  );
  const sash = sashes.filter((s) => Math.abs(s.x - edge) < 6 && s.height > 100)[0];
  if (!sash) throw new Error('no sash at the side bar edge');
  await page.mouse.move(sash.x, sash.y);
  await page.mouse.down();
  await page.mouse.move(sidebar.x + width, sash.y, { steps: 8 });
  await page.mouse.up();
}

/** Saves a screenshot into test/e2e/artifacts/NAME.png (of `locator` when given) and returns its path. */
export async function screenshot(page, name, locator) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  if (locator) await locator.screenshot({ path: file });
  else await page.screenshot({ path: file });
  return file;
}

/** Waits for a notification toast whose text matches and returns it. */
export async function notification(page, text, timeout = 30_000) {
  const toast = page.locator('.notification-toast', { hasText: text }).first();
  await toast.waitFor({ timeout });
  return toast;
}

/**
 * Waits until `locator` is visible, failing early with VS Code's own words when an error dialog
 * or error notification appears meanwhile (a failed command says why right away).
 */
export async function waitForOrError(page, locator, timeout = 30_000) {
  const errors = page.locator('.monaco-dialog-box:has(.codicon-dialog-error), .notification-toast:has(.codicon-error)');
  const deadline = Date.now() + timeout;
  for (;;) {
    if (
      await locator
        .first()
        .isVisible()
        .catch(() => false)
    )
      return locator.first();
    if ((await errors.count()) > 0) {
      const text = (
        await errors
          .first()
          .innerText()
          .catch(() => '')
      )
        .replace(/\s+/g, ' ')
        .trim();
      throw new Error(`VS Code reported an error: ${text}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${locator}`);
    await page.waitForTimeout(200);
  }
}

export const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern', hc: 'Default High Contrast' };
const WORKBENCH_CLASS = {
  light: '.monaco-workbench.vs',
  dark: '.monaco-workbench.vs-dark',
  hc: '.monaco-workbench.hc-black',
};
const WEBVIEW_CLASS = { light: 'body.vscode-light', dark: 'body.vscode-dark', hc: 'body.vscode-high-contrast' };

/** Waits until the workbench and, if open, the panel webview show the given theme. */
export async function waitForTheme(page, theme) {
  await page.locator(WORKBENCH_CLASS[theme]).waitFor({ timeout: 15_000 });
  const webviewBody = panelFrame(page).locator(WEBVIEW_CLASS[theme]);
  if ((await page.locator('iframe.webview.ready[src*="purpose=webviewView"]').count()) > 0) {
    await webviewBody.waitFor({ timeout: 15_000 }).catch(() => {});
  }
  // Let charts and codicons repaint with the new colours.
  await page.waitForTimeout(400);
}
