// Two bundles: the extension + CLI for Node (CommonJS, vscode external) and the panel for the browser.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

/** @type {import('esbuild').BuildOptions} */
const node = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  entryPoints: { extension: 'src/extension.ts', cli: 'src/cli/main.ts' },
  outdir: 'dist',
  // ssh2 (a dockerode dependency) optionally loads native addons; without them it falls back to JS.
  // esbuild's API runs its platform binary from its own package folder, so it cannot be bundled.
  external: ['vscode', 'esbuild', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
  banner: { js: '' },
};

/** @type {import('esbuild').BuildOptions} */
const browser = {
  ...common,
  platform: 'browser',
  target: 'es2022',
  format: 'esm',
  entryPoints: { webview: 'webview/main.ts' },
  outdir: 'dist',
  loader: { '.ttf': 'file' },
};

// The panel's icon font: codicon.css next to codicon.ttf, loaded by the webview from dist/.
function copyCodicons() {
  mkdirSync('dist', { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf'])
    copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/${file}`);
}

copyCodicons();
if (watch) {
  const contexts = await Promise.all([esbuild.context(node), esbuild.context(browser)]);
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all([esbuild.build(node), esbuild.build(browser)]);
}
