/**
 * Packages a workspace's node_modules links to elsewhere (`npm link`, a shared store such as
 * pnpm's, or the whole node_modules as a link). Node resolves a package to its real path, so the
 * folders they live in must be exposed to the sandbox too (read-only), or it would not find them.
 * Listed on every run: a few milliseconds, and node_modules changes between runs (npm install,
 * npm link) in a session that stays open for days.
 */
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

export function linkedNodeModules(workspaceRoot: string | undefined): string[] {
  if (workspaceRoot === undefined) return [];
  const root = realPath(workspaceRoot);
  const modules = path.join(workspaceRoot, 'node_modules');
  const realModules = realPath(modules);
  if (root === undefined || realModules === undefined) return [];
  if (isOutside(root, realModules)) return [realModules];
  const folders = new Set<string>();
  for (const entry of entries(modules)) {
    const packages = path.basename(entry).startsWith('@') ? entries(entry) : [entry];
    for (const pkg of packages) {
      if (!lstatSync(pkg, { throwIfNoEntry: false })?.isSymbolicLink()) continue;
      const target = realPath(pkg);
      if (target !== undefined && isOutside(root, target)) folders.add(nodeModulesHolding(target));
    }
  }
  return [...folders];
}

function isOutside(root: string, real: string): boolean {
  const relative = path.relative(root, real);
  return relative.startsWith('..') || path.isAbsolute(relative);
}

/** A package inside some node_modules is exposed with that whole folder (one mount for a store). */
function nodeModulesHolding(real: string): string {
  const at = real.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  return at < 0 ? real : real.slice(0, at + `${path.sep}node_modules`.length);
}

function realPath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}
