/**
 * Where a JavaScript/TypeScript project starts: its nearest package.json, and when that package
 * is a member of an npm, yarn or pnpm workspace, the workspace root too (dependencies are hoisted
 * into its node_modules, and its config may apply).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { findUp, findVcsRoot } from '../vcsRoot';

export interface NodeProjectRoot {
  /** The folder to mount: the workspace root when there is one, else the package root (or VCS root). */
  readonly root: string;
  /** The folder of the nearest package.json, if any. */
  readonly packageRoot?: string;
  /** The workspace root holding the package, if it is a workspace member. */
  readonly workspaceRoot?: string;
}

export function findNodeProjectRoot(from: string): NodeProjectRoot | undefined {
  const start = startDir(from);
  const packageRoot = findUp(start, (dir) => existsSync(path.join(dir, 'package.json')));
  if (packageRoot === undefined) {
    const vcs = findVcsRoot(start);
    return vcs !== undefined ? { root: vcs } : undefined;
  }
  const workspaceRoot = findUp(path.dirname(packageRoot), (dir) => declaresMember(dir, packageRoot));
  return workspaceRoot !== undefined && workspaceRoot !== packageRoot
    ? { root: workspaceRoot, packageRoot, workspaceRoot }
    : { root: packageRoot, packageRoot };
}

/** True when `dir` is a workspace root (npm/yarn `workspaces`, pnpm-workspace.yaml) listing `member`. */
function declaresMember(dir: string, member: string): boolean {
  const patterns = [...packageJsonWorkspaces(dir), ...pnpmWorkspaces(dir)];
  const relative = path.relative(dir, member).split(path.sep).join('/');
  return patterns.some((pattern) => globMatches(pattern, relative));
}

function packageJsonWorkspaces(dir: string): string[] {
  try {
    const json = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      workspaces?: unknown;
    };
    const field = json.workspaces;
    // npm and yarn: an array, or yarn's { packages: [...] }.
    const list = Array.isArray(field) ? field : (field as { packages?: unknown } | undefined)?.packages;
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

/** The `packages:` list of pnpm-workspace.yaml (the simple block-list form pnpm documents). */
function pnpmWorkspaces(dir: string): string[] {
  let text: string;
  try {
    text = readFileSync(path.join(dir, 'pnpm-workspace.yaml'), 'utf8');
  } catch {
    return [];
  }
  const found: string[] = [];
  let inPackages = false;
  for (const line of text.split('\n')) {
    if (/^packages\s*:/.test(line)) inPackages = true;
    else if (/^\S/.test(line)) inPackages = false;
    else if (inPackages) {
      const item = /^\s*-\s*['"]?([^'"#]+?)['"]?\s*(#.*)?$/.exec(line);
      if (item?.[1]) found.push(item[1]);
    }
  }
  return found;
}

/** Workspace globs: `*` matches one path segment, `**` any number; a leading `!` excludes (ignored here). */
export function globMatches(pattern: string, relative: string): boolean {
  if (pattern.startsWith('!')) return false;
  const clean = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  const regex = clean
    .split('/')
    .map((part) =>
      part === '**' ? '(?:[^/]+/)*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*') + '/',
    )
    .join('');
  return new RegExp(`^${regex}$`).test(`${relative}/`);
}

function startDir(from: string): string {
  const absolute = path.resolve(from);
  try {
    return statSync(absolute).isDirectory() ? absolute : path.dirname(absolute);
  } catch {
    return path.dirname(absolute);
  }
}
