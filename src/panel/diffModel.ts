/**
 * What a candidate changes, as text: the document it would produce, its unified diff against the
 * current function, and whether the function still reads as it did when the run started.
 */
import { createTwoFilesPatch, diffLines } from 'diff';
import type { LanguageSupport } from '../core/languageSupport';
import { listClasses, locateFunction, type FunctionLocation } from '../core/functionLocator';
import { dedent, reindent } from '../core/spliceFunction';

export interface TextSpan {
  /** Offsets into the document text, end exclusive. */
  readonly start: number;
  readonly end: number;
}

export interface LineChanges {
  readonly added: number;
  readonly removed: number;
}

export interface FunctionDiff extends LineChanges {
  /** Unified diff, with `label (current)` and `label (candidate)` as file names. */
  readonly patch: string;
  readonly identical: boolean;
}

/** The document text with exactly `span` replaced: what the candidate document shows and what Accept writes. */
export function replaceSpan(documentText: string, span: TextSpan, replacement: string): string {
  if (span.start < 0 || span.end < span.start || span.end > documentText.length) {
    throw new RangeError(`span ${span.start}..${span.end} outside a text of ${documentText.length} characters`);
  }
  return documentText.slice(0, span.start) + replacement + documentText.slice(span.end);
}

/** What accepting a candidate changes in the module: its function, and the lines it needs above it. */
export interface CandidateChange {
  /** The function, dedented (first line at column 0). */
  readonly code: string;
  /** Imports or helpers the candidate module gained above the function's top-level statement. */
  readonly insertedAbove?: string;
}

/**
 * Reads a candidate module (the run-start module with the candidate spliced in) back into the
 * change it makes, so the change can be re-applied to the document as it is at Accept time.
 */
export function candidateChange(
  language: LanguageSupport,
  originalModule: string,
  candidateModule: string,
  target: string,
): CandidateChange | undefined {
  const before = locateFunction(language, originalModule, target);
  const after = locateFunction(language, candidateModule, target);
  if (!before || !after) return undefined;
  const code = dedent(after.indent + candidateModule.slice(after.start, after.end));
  const oldPrefix = originalModule.slice(0, before.start);
  const newPrefix = candidateModule.slice(0, after.start);
  const grown = newPrefix.length - oldPrefix.length;
  if (grown <= 0) return { code };
  let common = 0;
  while (common < oldPrefix.length && oldPrefix[common] === newPrefix[common]) common++;
  // The insertion is whole lines: move back to a line start, where any equivalent position gives the same text.
  const at = newPrefix.lastIndexOf('\n', common - 1) + 1;
  const inserted = newPrefix.slice(at, at + grown);
  if (oldPrefix.slice(0, at) + inserted + oldPrefix.slice(at) !== newPrefix) return { code };
  return { code, insertedAbove: inserted };
}

export interface TextEditPlan {
  readonly edits: readonly { readonly start: number; readonly end: number; readonly text: string }[];
  /** The document text after the edits. */
  readonly result: string;
}

/**
 * The edits that put `change` into `documentText` where `location` is now: the function replaced
 * (re-indented to its place) and any needed lines inserted above its top-level statement.
 */
export function planCandidateEdits(
  language: LanguageSupport,
  documentText: string,
  location: FunctionLocation,
  change: CandidateChange,
): TextEditPlan {
  const eol = documentText.includes('\r\n') ? '\r\n' : '\n';
  const replacement = reindent(change.code, location.indent, eol);
  const edits: { start: number; end: number; text: string }[] = [];
  if (change.insertedAbove !== undefined && change.insertedAbove !== '') {
    const topClass =
      location.className === undefined
        ? undefined
        : listClasses(language, documentText).find(
            (c) => !c.qualifiedName.includes('.') && c.start <= location.start && c.end >= location.end,
          );
    const anchor = topClass?.start ?? location.start;
    const lineStart = documentText.lastIndexOf('\n', anchor - 1) + 1;
    edits.push({ start: lineStart, end: lineStart, text: change.insertedAbove.replace(/\r?\n/g, eol) });
  }
  edits.push({ start: location.start, end: location.end, text: replacement });
  let result = documentText;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) result = replaceSpan(result, edit, edit.text);
  return { edits, result };
}

/** Line-level change counts from `before` to `after` (ignoring a final newline's presence). */
export function lineChanges(before: string, after: string): LineChanges {
  let added = 0;
  let removed = 0;
  for (const change of diffLines(withFinalNewline(before), withFinalNewline(after))) {
    if (change.added) added += change.count;
    else if (change.removed) removed += change.count;
  }
  return { added, removed };
}

export function functionDiff(current: string, candidate: string, label: string): FunctionDiff {
  const before = withFinalNewline(current);
  const after = withFinalNewline(candidate);
  const patch = createTwoFilesPatch(`${label} (current)`, `${label} (candidate)`, before, after, undefined, undefined, {
    context: 3,
  });
  const changes = lineChanges(before, after);
  return { ...changes, patch, identical: changes.added === 0 && changes.removed === 0 };
}

/**
 * Whether the function text is still the one the run measured. Line endings and trailing blanks
 * do not count (an editor may normalise them); anything else does, because Accept would overwrite it.
 */
export function sameFunctionText(atRunStart: string, now: string): boolean {
  return normalise(atRunStart) === normalise(now);
}

function normalise(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd();
}

function withFinalNewline(text: string): string {
  const unix = text.replace(/\r\n?/g, '\n');
  return unix.endsWith('\n') ? unix : unix + '\n';
}
