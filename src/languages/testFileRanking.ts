/**
 * Which test files probably exercise a function, by the conventions of its language (each
 * language's TestConventions: python/pythonTests.ts, node/scriptTests.ts). Pure (no VS Code
 * import) so it is unit-tested; src/vscode/testDiscovery.ts feeds it the workspace's files.
 */
import type { Language } from '../core/sandboxTypes';
import { languageForPath, languageOf } from './registry';

export interface TestFileCandidate {
  /** Workspace-relative, POSIX separators. */
  readonly path: string;
  /** The file's text when it was read (for "mentions the function"); absent if unread. */
  readonly text?: string;
}

export interface RankedTestFile {
  readonly path: string;
  readonly score: number;
  /** Why it was picked, for the QuickPick detail line. */
  readonly reason: string;
  /** Named after the module: worth pre-selecting. */
  readonly strong: boolean;
}

/** The glob `vscode.workspace.findFiles` searches for test files of `language`. */
export function testFileGlob(language: Language): string {
  return languageOf(language).tests.glob;
}

/** Folders never searched: dependencies, virtual environments and build output. */
export const EXCLUDED_TEST_FOLDERS =
  '{**/node_modules/**,**/.venv/**,**/venv/**,**/site-packages/**,**/dist/**,**/build/**,**/.git/**,**/__pycache__/**}';

/** Ranks test files for `functionName` (plain or `Class.method`) of the module at `modulePath`; best first. */
export function rankTestFiles(
  language: Language,
  modulePath: string,
  functionName: string,
  candidates: readonly TestFileCandidate[],
): RankedTestFile[] {
  const module = moduleStem(modulePath);
  const moduleDir = dirname(modulePath);
  const simpleName = functionName.split('.').pop() ?? functionName;
  const className = functionName.includes('.') ? functionName.split('.')[0] : undefined;
  const conventions = languageOf(language).tests;
  const ranked: RankedTestFile[] = [];
  for (const candidate of candidates) {
    if (candidate.path === modulePath) continue;
    const judged = conventions.judge(candidate.path, module);
    if (judged === undefined) continue;
    const mentionsFunction = candidate.text !== undefined && mentions(candidate.text, simpleName);
    const mentionsClass =
      className !== undefined && candidate.text !== undefined && mentions(candidate.text, className);
    const mentionsModule = candidate.text !== undefined && mentions(candidate.text, module);
    // A file that is a test only by its folder must show it is about this function.
    if (!judged.strong && !mentionsFunction) continue;
    let score = judged.strong ? 100 : 40;
    const reasons = [judged.reason];
    if (mentionsFunction) {
      score += 30;
      reasons.push(`mentions ${simpleName}`);
    }
    if (mentionsClass) score += 5;
    if (mentionsModule) {
      score += 10;
      if (!judged.strong) reasons.push(`imports ${module}`);
    }
    score += proximity(moduleDir, dirname(candidate.path));
    ranked.push({ path: candidate.path, score, reason: reasons.join(', '), strong: judged.strong });
  }
  return ranked.sort((a, b) => b.score - a.score || a.path.length - b.path.length || a.path.localeCompare(b.path));
}

/** Closer folders first: same folder 15, a sibling tests folder 10, then less per step apart. */
function proximity(moduleDir: string, testDir: string): number {
  if (moduleDir === testDir) return 15;
  const a = moduleDir === '' ? [] : moduleDir.split('/');
  const b = testDir === '' ? [] : testDir.split('/');
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  const steps = a.length - common + (b.length - common);
  return Math.max(0, 12 - 2 * steps);
}

function mentions(text: string, word: string): boolean {
  if (word === '') return false;
  return new RegExp(`(^|[^A-Za-z0-9_$])${escapeRegExp(word)}($|[^A-Za-z0-9_$])`).test(text);
}

function moduleStem(path: string): string {
  const base = basename(path);
  return languageForPath(base) ? base.slice(0, base.lastIndexOf('.')) : base;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
