// Installs code-server (a real VS Code served to a browser) into .cache/code-server/<version>,
// outside the project's dependencies so `npm ci` stays fast. Reruns find the finished install
// and return at once. Run directly (`node test/e2e/setupCodeServer.mjs`) or through run.mjs.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, renameSync, writeFileSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// 4.100.3 bundles VS Code 1.100.3: the newest whose postinstall accepts Node 20.
export const CODE_SERVER_VERSION = '4.100.3';
// The @vscode/ripgrep release code-server pulls in, and the archive name its postinstall looks for.
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_ARCHIVE = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheRoot = path.join(repoRoot, '.cache', 'code-server');

/** The code-server entry point once installed (run it with `node`). */
export function codeServerEntry(version = CODE_SERVER_VERSION) {
  return path.join(cacheRoot, version, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function installedMarker(version) {
  return path.join(cacheRoot, version, '.installed');
}

function run(cmd, args, options) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => {
      output += chunk.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ code: -1, output: `${output}\n${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

/**
 * Ensures code-server is installed. Returns `{ kind: 'ready', entry }` or
 * `{ kind: 'failed', reason }` — never throws for an install problem, so the caller decides
 * whether a missing install skips or fails the run.
 */
export async function ensureCodeServer({ version = CODE_SERVER_VERSION, log = () => {} } = {}) {
  const entry = codeServerEntry(version);
  if (existsSync(installedMarker(version)) && existsSync(entry)) return { kind: 'ready', entry };

  if (!existsSync('/usr/bin/rg')) {
    return { kind: 'failed', reason: 'ripgrep is not installed (apt-get install ripgrep)' };
  }
  mkdirSync(cacheRoot, { recursive: true });
  // Install into a scratch folder and rename at the end, so an interrupted install is never
  // mistaken for a finished one.
  const staging = mkdtempSync(path.join(cacheRoot, `${version}.staging-`));
  const scratch = path.join(staging, '.scratch');
  for (const dir of ['tmp', 'config', 'data', 'cache']) mkdirSync(path.join(scratch, dir), { recursive: true });
  const tmp = path.join(scratch, 'tmp');
  // @vscode/ripgrep's postinstall downloads a binary from GitHub; hand it Debian's instead.
  mkdirSync(path.join(tmp, RIPGREP_CACHE), { recursive: true });
  const tar = await run('tar', ['czf', path.join(tmp, RIPGREP_CACHE, RIPGREP_ARCHIVE), '-C', '/usr/bin', 'rg'], {});
  if (tar.code !== 0) return { kind: 'failed', reason: `could not seed the ripgrep cache: ${tar.output.trim()}` };

  writeFileSync(path.join(staging, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }));
  log(`installing code-server@${version} into ${path.relative(repoRoot, cacheRoot)} (native modules build, ~1 min)…`);
  const env = {
    ...process.env,
    TMPDIR: tmp,
    XDG_CONFIG_HOME: path.join(scratch, 'config'),
    XDG_DATA_HOME: path.join(scratch, 'data'),
    XDG_CACHE_HOME: path.join(scratch, 'cache'),
    npm_config_cache: path.join(scratch, 'cache', 'npm'),
    npm_config_unsafe_perm: 'true',
    npm_config_yes: 'true',
    npm_config_nodedir: '/usr',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  };
  const npm = await run('npm', ['install', '--no-save', '--no-package-lock', `code-server@${version}`], {
    cwd: staging,
    env,
  });
  if (npm.code !== 0 || !existsSync(path.join(staging, 'node_modules', 'code-server', 'out', 'node', 'entry.js'))) {
    rmSync(staging, { recursive: true, force: true });
    const tail = npm.output.trim().split('\n').slice(-15).join('\n');
    return { kind: 'failed', reason: `npm install code-server@${version} failed (exit ${npm.code}):\n${tail}` };
  }
  rmSync(scratch, { recursive: true, force: true });
  const target = path.join(cacheRoot, version);
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  writeFileSync(installedMarker(version), `${new Date().toISOString()}\n`);
  return { kind: 'ready', entry };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const result = await ensureCodeServer({ log: (line) => console.log(line) });
  if (result.kind === 'ready') {
    console.log(
      `code-server ready after ${((Date.now() - started) / 1000).toFixed(1)} s: ${path.relative(repoRoot, result.entry)}`,
    );
  } else {
    console.error(`code-server install failed: ${result.reason}`);
    process.exit(1);
  }
}
