// Bundles test/vscode/suite.ts into dist/test/vscodeSuite.js for an extension host to load.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Returns the absolute path of the bundle. */
export async function bundleVscodeSuite() {
  const outfile = path.join(repoRoot, 'dist', 'test', 'vscodeSuite.js');
  await esbuild.build({
    entryPoints: [path.join(repoRoot, 'test', 'vscode', 'suite.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}
