/**
 * The panel's HTML shell: a strict CSP (`default-src 'none'`, the script allowed by a fresh nonce,
 * styles and fonts only from the extension's own files) and no inline data.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(18).toString('base64');
  const asset = (...parts: string[]): string =>
    webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" id="vscode-codicon-stylesheet" href="${asset('dist', 'codicon.css')}">
  <link rel="stylesheet" href="${asset('dist', 'webview.css')}">
  <title>Afterburner</title>
</head>
<body>
  <main id="app" data-testid="afterburner-panel">
    <p class="empty">Loading…</p>
  </main>
  <script type="module" nonce="${nonce}" src="${asset('dist', 'webview.js')}"></script>
</body>
</html>`;
}
