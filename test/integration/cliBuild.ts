/**
 * The built `afterburner` CLI for tests: dist/cli.js when `npm run build` made it, else a bundle of
 * src/cli/main.ts written under .cache/ (inside the repo, so the bundle finds sandbox/ above it)
 * without touching dist/, which others may be building at the same time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

export const REPO = path.resolve(__dirname, '../..');

export async function builtCli(): Promise<string> {
  const dist = path.join(REPO, 'dist', 'cli.js');
  if (existsSync(dist)) return dist;
  const outdir = path.join(REPO, '.cache', `cli-test-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  const outfile = path.join(outdir, 'cli.js');
  await build({
    entryPoints: [path.join(REPO, 'src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node', 'esbuild'],
    logLevel: 'silent',
  });
  return outfile;
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI with our environment minus model settings, plus `env`. */
export function runCli(cli: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AFTERBURNER_|OPENAI_)/.test(k)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...clean, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A temporary project folder (with a .git marker, like a user's checkout) and a writer for files in it. */
export function tempProject(prefix: string): {
  readonly root: string;
  readonly write: (rel: string, text: string) => string;
} {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  const write = (rel: string, text: string): string => {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };
  write('.git/HEAD', 'ref: refs/heads/main\n');
  return { root, write };
}
