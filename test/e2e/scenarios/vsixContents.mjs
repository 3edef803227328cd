// The .vsix a user installs ships the bundles, the media and the sandbox harnesses, and none of
// the sources or tests.
import { VSIX_PATH, zipEntries } from '../vsix.mjs';

export const vsixContentsScenario = {
  name: 'vsix-contents',
  async run() {
    const files = zipEntries(VSIX_PATH)
      .filter((name) => name.startsWith('extension/'))
      .map((name) => name.slice('extension/'.length));
    const problems = [];
    for (const needed of ['package.json', 'dist/extension.js', 'dist/webview.js', 'dist/cli.js']) {
      if (!files.includes(needed)) problems.push(`missing ${needed}`);
    }
    if (!files.some((f) => f.startsWith('media/'))) problems.push('missing media/');
    if (!files.some((f) => f.startsWith('sandbox/'))) problems.push('missing sandbox/ (the harnesses)');
    // dist/node_modules holds the runtime packages the bundle cannot contain (esbuild's binary).
    const ours = files.filter((f) => !f.startsWith('dist/node_modules/'));
    const leaked = ours.filter(
      (f) =>
        /^(src|test|webview|node_modules|bench|scripts|media\/screenshots|\.cache)\//.test(f) ||
        f.endsWith('.map') ||
        f.endsWith('.ts'),
    );
    if (leaked.length > 0) problems.push(`ships files it should not: ${leaked.slice(0, 10).join(', ')}`);
    if (problems.length > 0) throw new Error(`${problems.join('; ')}\n     shipped: ${files.join(', ')}`);
  },
};
