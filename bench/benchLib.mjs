// The adapters and core pieces the benchmarks drive, bundled from bench/entry.ts into dist/bench.js.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = path.join(here, '..', 'dist', 'bench.js');

export async function loadBenchLib() {
  await esbuild.build({
    entryPoints: [path.join(here, 'entry.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    external: ['cpu-features', './crypto/build/Release/sshcrypto.node', 'esbuild'],
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(outfile);
}
