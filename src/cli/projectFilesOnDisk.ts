/**
 * Test discovery's file-listing port on the disk, for the CLI: the project root above a file, and a
 * bounded walk of it that leaves out dependencies, virtual environments, VCS folders and build output.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LANGUAGES } from '../languages/registry';
import type { ProjectFiles } from '../languages/testDiscovery';

/** Folder names never searched for tests. */
export const SKIPPED_FOLDERS = new Set([
  'node_modules',
  '__pycache__',
  'site-packages',
  'venv',
  'env',
  'dist',
  'build',
  'coverage',
  'out',
]);
const MAX_FILES = 20_000;
const MAX_DEPTH = 12;
const MAX_TEST_BYTES = 512 * 1024;

/** A folder holding one of these (a VCS root, any language's project file) is a project root. */
const ROOT_MARKERS = ['.git', ...new Set(LANGUAGES.flatMap((l) => l.projectMarkers))];

/** The nearest folder at or above `file`'s that is a project root; the file's own folder when none is. */
export function projectRootOf(file: string): string {
  const start = path.dirname(path.resolve(file));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (ROOT_MARKERS.some((marker) => existsSync(path.join(dir, marker)))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

/** Symbolic links count when they point at a file (a test helper linked in from elsewhere). */
function isFile(full: string, direct: boolean): boolean {
  if (direct) return true;
  try {
    return statSync(full).isFile();
  } catch {
    return false;
  }
}

export function projectFilesOnDisk(root: string): ProjectFiles {
  return {
    list(extensions) {
      const endings = new Set(extensions.map((e) => `.${e}`));
      const paths: string[] = [];
      let truncated = false;
      const walk = (dir: string, rel: string, depth: number): void => {
        let entries;
        try {
          entries = readdirSync(dir, { withFileTypes: true });
        } catch {
          return;
        }
        entries.sort((a, b) => a.name.localeCompare(b.name));
        // A virtual environment (whatever its name) holds pyvenv.cfg.
        if (depth > 0 && entries.some((e) => e.name === 'pyvenv.cfg')) return;
        for (const entry of entries) {
          if (paths.length >= MAX_FILES) {
            truncated = true;
            return;
          }
          const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
          if (entry.isDirectory()) {
            if (entry.name.startsWith('.') || SKIPPED_FOLDERS.has(entry.name)) continue;
            if (depth < MAX_DEPTH) walk(path.join(dir, entry.name), childRel, depth + 1);
          } else if (endings.has(path.extname(entry.name)) && isFile(path.join(dir, entry.name), entry.isFile())) {
            paths.push(childRel);
          }
        }
      };
      walk(root, '', 0);
      return Promise.resolve({ paths, truncated });
    },
    read(rel) {
      const file = path.join(root, ...rel.split('/'));
      try {
        if (statSync(file).size > MAX_TEST_BYTES) return Promise.resolve(undefined);
        return Promise.resolve(readFileSync(file, 'utf8'));
      } catch {
        return Promise.resolve(undefined);
      }
    },
  };
}
