// The extension transpiles users' TypeScript with esbuild, whose API runs a platform binary from
// its own package folder. The .vsix ships no node_modules, so this copies esbuild and this
// platform's binary package under dist/node_modules, where dist/extension.js resolves them.
// The .vsix is therefore platform-specific (package one per target, as `vsce --target` expects).
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const esbuildDir = path.dirname(require.resolve('esbuild/package.json'));
const { optionalDependencies } = JSON.parse(readFileSync(path.join(esbuildDir, 'package.json'), 'utf8'));
const platformPackage = `@esbuild/${process.platform}-${process.arch}`;
if (!optionalDependencies?.[platformPackage]) throw new Error(`esbuild has no binary package for ${platformPackage}`);
const binaryDir = path.dirname(require.resolve(`${platformPackage}/package.json`));

const out = path.resolve('dist/node_modules');
rmSync(out, { recursive: true, force: true });
for (const file of ['package.json', 'lib', 'LICENSE.md']) {
  cpSync(path.join(esbuildDir, file), path.join(out, 'esbuild', file), { recursive: true });
}
cpSync(binaryDir, path.join(out, platformPackage), { recursive: true });
process.stdout.write(`vendored esbuild with ${platformPackage} into dist/node_modules\n`);
