/**
 * The CLI's test discovery: test files named by the language's conventions (TestConventions), in
 * the module's folder and up to three folders above (not past a project root), that mention the
 * function. The extension searches the whole workspace with the same conventions instead
 * (testFileRanking.ts) and lets the user pick among the ranked files.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Language } from '../core/sandboxTypes';
import { LANGUAGES, languageOf } from './registry';

/** How far above the file discovery looks (the file's folder counts as level 0). */
const LEVELS_UP = 3;
/** A folder holding one of these (a VCS root, any language's project file) is a project root: discovery does not climb past it. */
const ROOT_MARKERS = ['.git', ...new Set(LANGUAGES.flatMap((l) => l.projectMarkers))];

/** The file names discovery looks for, in order, relative to the file's folder and those above. */
export function conventionalTestNames(file: string, language: Language): string[] {
  const stem = path.basename(file, path.extname(file));
  return languageOf(language).tests.conventionalNames(stem);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The folders discovery searches: the file's, then up to LEVELS_UP above, not past a project root. */
export function discoveryFolders(file: string): string[] {
  const folders: string[] = [];
  let dir = path.dirname(path.resolve(file));
  for (let level = 0; level <= LEVELS_UP; level++) {
    folders.push(dir);
    if (ROOT_MARKERS.some((m) => existsSync(path.join(dir, m)))) break;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return folders;
}

export interface Discovery {
  /** Absolute paths of test files that mention the function. */
  readonly found: readonly string[];
  /** The names looked for, for the message when nothing is found. */
  readonly lookedFor: readonly string[];
}

/**
 * Test files by convention next to or above `file` that mention the function (for
 * `Class.method`, the class or the method).
 */
export function discoverTests(file: string, language: Language, functionName: string): Discovery {
  const names = conventionalTestNames(file, language);
  const mentions = functionName.split('.').filter((part) => part.length > 0);
  const found: string[] = [];
  for (const folder of discoveryFolders(file)) {
    for (const name of names) {
      const candidate = path.join(folder, name);
      if (found.includes(candidate) || !isFile(candidate)) continue;
      const text = readFileSync(candidate, 'utf8');
      if (mentions.some((word) => new RegExp(`\\b${word.replace(/[$]/g, '\\$')}\\b`).test(text))) found.push(candidate);
    }
  }
  return { found, lookedFor: names };
}
