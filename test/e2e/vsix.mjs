// The packaged extension: build it when it is missing or older than what goes into it, and
// read back the list of files it ships (a .vsix is a zip; its central directory lists them).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VSIX_PATH = path.join(REPO_ROOT, 'dist-vsix', 'afterburner.vsix');

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** True when the .vsix is missing or any source that ends up in it changed after it was made. */
export function vsixIsStale() {
  if (!existsSync(VSIX_PATH)) return true;
  const built = statSync(VSIX_PATH).mtimeMs;
  const inputs = ['package.json', '.vscodeignore', 'src', 'webview', 'media', 'sandbox', 'esbuild.mjs'];
  return inputs.some((input) => newestMtime(path.join(REPO_ROOT, input)) > built);
}

/** Runs `npm run package`; returns `{ kind: 'packaged' }` or `{ kind: 'failed', output }`. */
export function packageVsix() {
  const result = spawnSync('npm', ['run', 'package', '--silent'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status === 0 && existsSync(VSIX_PATH)) return { kind: 'packaged' };
  return {
    kind: 'failed',
    output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n'),
  };
}

/** File names stored in a zip archive, read from its central directory. */
export function zipEntries(file) {
  const zip = readFileSync(file);
  // The end-of-central-directory record sits in the last 22 + up to 65535 (comment) bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip archive`);
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${file}: broken central directory`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}
