/** The root of the version-control checkout holding a folder: the last resort of project-root finding. */
import { existsSync } from 'node:fs';
import path from 'node:path';

const VCS_MARKERS = ['.git', '.hg', '.svn'];

/** The nearest folder at or above `from` that holds `.git`, `.hg` or `.svn`. */
export function findVcsRoot(from: string): string | undefined {
  return findUp(from, (dir) => VCS_MARKERS.some((m) => existsSync(path.join(dir, m))));
}

/** The nearest folder at or above `from` (absolute) for which `matches` holds. */
export function findUp(from: string, matches: (dir: string) => boolean): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (matches(dir)) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}
