// Starts and stops one code-server (VS Code in a browser) for the end-to-end run: a fresh
// scratch folder holds its user data, extensions, config and a copy of the workspace fixture,
// so nothing lands in the home folder and every run starts from the same state.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
  openSync,
  closeSync,
  readFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Settings every run starts from: no welcome page, no trust prompt, no network chatter. */
export const BASE_USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'typescript.disableAutomaticTypeAcquisition': true,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'editor.minimap.enabled': false,
  'window.commandCenter': false,
  // code-server saves edited files after a delay by default; desktop VS Code does not.
  'files.autoSave': 'off',
};

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function runToEnd(cmd, args, options) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', (e) => resolve({ code: -1, output: `${output}${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

async function waitForHealth(url, child, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited early with code ${child.exitCode}`);
    try {
      const response = await globalThis.fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${deadlineMs} ms`);
}

/**
 * Starts code-server on 127.0.0.1 (webviews need a secure context: localhost or https) with
 * the packaged extension installed and a copy of `workspaceFixture` as its folder.
 * `env` is added to code-server's environment, which the extension host inherits.
 */
export async function startCodeServer({ entry, vsix, workspaceFixture, settings = {}, env = {} }) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'afterburner-e2e-'));
  // mkdtemp makes it private (0700); a project folder is usually readable by others, which lets
  // a root-run local sandbox drop to `nobody` and still read the workspace, as it would for users.
  chmodSync(scratch, 0o755);
  const dirs = {
    userData: path.join(scratch, 'user-data'),
    extensions: path.join(scratch, 'extensions'),
    workspace: path.join(scratch, 'workspace'),
    tmp: path.join(scratch, 'tmp'),
    xdgConfig: path.join(scratch, 'xdg', 'config'),
    xdgData: path.join(scratch, 'xdg', 'data'),
    xdgCache: path.join(scratch, 'xdg', 'cache'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  cpSync(workspaceFixture, dirs.workspace, { recursive: true });

  const settingsFile = path.join(dirs.userData, 'User', 'settings.json');
  writeFileSync(settingsFile, JSON.stringify({ ...BASE_USER_SETTINGS, ...settings }, null, 2));

  const port = await freePort();
  const config = path.join(scratch, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

  const childEnv = {
    ...process.env,
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    ...env,
  };
  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--config', config];

  const install = await runToEnd(process.execPath, [entry, ...common, '--install-extension', vsix], { env: childEnv });
  if (install.code !== 0 || !/successfully installed/i.test(install.output)) {
    rmSync(scratch, { recursive: true, force: true });
    throw new Error(`installing ${path.basename(vsix)} failed (exit ${install.code}):\n${install.output.trim()}`);
  }

  const logFile = path.join(scratch, 'code-server.log');
  const logFd = openSync(logFile, 'a');
  // detached: code-server leads its own process group, so one signal to the group also stops
  // the extension host and file watchers it spawns.
  const child = spawn(
    process.execPath,
    [
      entry,
      ...common,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      dirs.workspace,
    ],
    { env: childEnv, detached: true, stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      if (!killed) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await exited;
      }
    }
    // Children that outlived the leader (file watchers) are still in the group.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // none left
    }
    rmSync(scratch, { recursive: true, force: true });
  };

  try {
    await waitForHealth(url, child, 60_000);
  } catch (error) {
    const log = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
    await stop();
    throw new Error(`${error.message}\n${log}`);
  }

  return {
    url,
    port,
    workspace: dirs.workspace,
    logFile,
    /**
     * Replaces the workspace's .vscode/settings.json. The running workbench picks it up within a
     * moment (code-server does not watch the user settings file, so changes go here).
     */
    writeWorkspaceSettings: (values) => {
      mkdirSync(path.join(dirs.workspace, '.vscode'), { recursive: true });
      writeFileSync(path.join(dirs.workspace, '.vscode', 'settings.json'), JSON.stringify(values, null, 2));
    },
    /** Puts the workspace back to the fixture's files (editors should be closed first). */
    resetWorkspace: () => cpSync(workspaceFixture, dirs.workspace, { recursive: true, force: true }),
    stop,
  };
}
