/**
 * The order in which test files are offered for a function, and which of them the CLI runs: files
 * that import the module first, then files that mention the function, then the closest to the
 * module. Pure, so the CLI and the extension rank alike and it is unit-tested on its own.
 */

/** How a test file reaches the module: it imports it, or it imports a file (`__init__.py`, an index) that does. */
export type ImportKind = 'direct' | { readonly via: string };
import { dirname } from './common/posixPath';

export interface JudgedTestFile {
  /** Root-relative, `/` separators. */
  readonly path: string;
  /** Why it counts as a test file ("in __test__/", "a .spec file"). */
  readonly reason: string;
  readonly text?: string;
  readonly imports: ImportKind | undefined;
  readonly namedAfterModule: boolean;
}

export interface RankedTestFile {
  readonly path: string;
  readonly imports: ImportKind | undefined;
  readonly mentions: boolean;
  readonly namedAfterModule: boolean;
  /** Folder steps between the module and the test (0 = same folder). */
  readonly distance: number;
  /** Why it is offered, for the QuickPick and the CLI's stderr: "imports sorts/quick_sort.ts, mentions QuickSort, in test/". */
  readonly reason: string;
}

export function rankTestFiles(
  modulePath: string,
  functionName: string,
  candidates: readonly JudgedTestFile[],
): RankedTestFile[] {
  const words = functionName.split('.').filter((part) => part.length > 0);
  const moduleDir = dirname(modulePath);
  const ranked: RankedTestFile[] = [];
  for (const candidate of candidates) {
    if (candidate.path === modulePath) continue;
    // For Class.method both must appear: a bare method name like `add` is mentioned everywhere.
    const mentions =
      candidate.text !== undefined && words.length > 0 && words.every((w) => mentionsWord(candidate.text ?? '', w));
    if (candidate.imports === undefined && !mentions && !candidate.namedAfterModule) continue;
    const reasons: string[] = [];
    if (candidate.imports === 'direct') reasons.push(`imports ${modulePath}`);
    else if (candidate.imports !== undefined) reasons.push(`imports ${modulePath} through ${candidate.imports.via}`);
    if (mentions) reasons.push(`mentions ${functionName}`);
    if (candidate.namedAfterModule) reasons.push('named after the module');
    reasons.push(candidate.reason);
    ranked.push({
      path: candidate.path,
      imports: candidate.imports,
      mentions,
      namedAfterModule: candidate.namedAfterModule,
      distance: distance(moduleDir, dirname(candidate.path)),
      reason: reasons.join(', '),
    });
  }
  return ranked.sort(
    (a, b) =>
      tier(b) - tier(a) ||
      Number(b.namedAfterModule) - Number(a.namedAfterModule) ||
      Number(b.imports === 'direct') - Number(a.imports === 'direct') ||
      a.distance - b.distance ||
      a.path.localeCompare(b.path),
  );
}

/** The most files the CLI runs without being told which. */
export const MAX_PICKED = 10;

export interface TestPick {
  readonly files: readonly RankedTestFile[];
  /** How many more files qualified than were taken. */
  readonly leftOut: number;
}

/**
 * The files the CLI runs: those that import the module and mention the function; failing that,
 * those named after the module that import it (`query.test.ts` testing parseQuery through getQuery);
 * failing that, those that mention it; failing that, those that import the module directly. A test
 * that only reaches the module through a package re-export and never names the function is not
 * taken: in a package every test does that.
 */
export function pickTestFiles(ranked: readonly RankedTestFile[], max = MAX_PICKED): TestPick {
  const groups = [
    ranked.filter((r) => r.imports !== undefined && r.mentions),
    ranked.filter((r) => r.imports !== undefined && r.namedAfterModule),
    ranked.filter((r) => r.mentions),
    ranked.filter((r) => r.imports === 'direct'),
  ];
  const chosen = groups.find((group) => group.length > 0) ?? [];
  return { files: chosen.slice(0, max), leftOut: Math.max(0, chosen.length - max) };
}

function tier(file: RankedTestFile): number {
  return (file.imports !== undefined ? 2 : 0) + (file.mentions ? 1 : 0);
}

function distance(from: string, to: string): number {
  const a = from === '' ? [] : from.split('/');
  const b = to === '' ? [] : to.split('/');
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return a.length - common + (b.length - common);
}

function mentionsWord(text: string, word: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_$])${escapeRegExp(word)}($|[^A-Za-z0-9_$])`).test(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
