// `npm run test:vscode`: runs test/vscode/suite.ts inside a desktop VS Code's extension host
// through @vscode/test-electron. It downloads VS Code unless VSCODE_EXECUTABLE_PATH names a local
// one (e.g. /usr/share/code/code). Machines without either use `npm run test:e2e` instead.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { bundleVscodeSuite } from './bundleSuite.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const suiteBundle = await bundleVscodeSuite();

// A fresh copy of the fixture workspace: the suite changes settings and may edit files.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'afterburner-vscode-test-'));
const workspace = path.join(scratch, 'workspace');
cpSync(path.join(repoRoot, 'test', 'e2e', 'workspace'), workspace, { recursive: true });

let exitCode = 1;
try {
  exitCode = await runTests({
    ...(process.env.VSCODE_EXECUTABLE_PATH
      ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH }
      : { version: process.env.VSCODE_VERSION ?? 'stable' }),
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: suiteBundle,
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--user-data-dir',
      path.join(scratch, 'user-data'),
      '--skip-welcome',
      '--skip-release-notes',
    ],
  });
} catch (error) {
  console.error(`VS Code extension tests did not run: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(exitCode);
