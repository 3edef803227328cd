/**
 * The inline (unified) view of a candidate: one text holding the document's unchanged lines, the
 * lines the candidate removes and the lines it adds, in order, each line tagged with which it is.
 * The editor shows that text in the file's own language, with removed and added lines marked, so
 * the change reads in place instead of in two columns.
 */
import { diffLines } from 'diff';

export type InlineLineKind = 'same' | 'removed' | 'added';

/** A run of consecutive changed lines (removed, added or both), 0-based, end exclusive. */
export interface InlineHunk {
  readonly startLine: number;
  readonly endLine: number;
}

export interface InlineDiff {
  /** The merged lines joined by '\n', with a final '\n'. */
  readonly text: string;
  /** One entry per line of `text`. */
  readonly kinds: readonly InlineLineKind[];
  readonly hunks: readonly InlineHunk[];
  readonly added: number;
  readonly removed: number;
}

export function inlineDiff(current: string, candidate: string): InlineDiff {
  // Both sides end with a newline, so a missing one at the end of the file is not a change.
  const withEnd = (text: string): string => (text.endsWith('\n') || text === '' ? text : `${text}\n`);
  const lines: string[] = [];
  const kinds: InlineLineKind[] = [];
  for (const part of diffLines(withEnd(current.replace(/\r\n/g, '\n')), withEnd(candidate.replace(/\r\n/g, '\n')))) {
    const kind: InlineLineKind = part.added ? 'added' : part.removed ? 'removed' : 'same';
    const partLines = part.value.split('\n');
    if (partLines[partLines.length - 1] === '') partLines.pop();
    for (const line of partLines) {
      lines.push(line);
      kinds.push(kind);
    }
  }
  const hunks: InlineHunk[] = [];
  kinds.forEach((kind, index) => {
    if (kind === 'same') return;
    const last = hunks[hunks.length - 1];
    if (last && last.endLine === index) hunks[hunks.length - 1] = { startLine: last.startLine, endLine: index + 1 };
    else hunks.push({ startLine: index, endLine: index + 1 });
  });
  return {
    text: lines.length > 0 ? `${lines.join('\n')}\n` : '',
    kinds,
    hunks,
    added: kinds.filter((k) => k === 'added').length,
    removed: kinds.filter((k) => k === 'removed').length,
  };
}
