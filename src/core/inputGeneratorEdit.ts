/**
 * Where a proposed `afterburner_inputs(size)` goes in a test file: its imports under the file's
 * last import at the top (those the file lacks), its helpers and the generator itself at the end.
 * Pure text in, insertions out, so the editor applies them as one edit (one undo).
 */
import type { ExtractedCandidate } from './extractCode';
import type { LanguageSupport } from './languageSupport';

export interface TextInsertion {
  /** Offset in the original text. */
  readonly offset: number;
  readonly text: string;
}

export interface GeneratorInsertion {
  readonly insertions: readonly TextInsertion[];
  /** The test file with the insertions applied (for the preview). */
  readonly result: string;
}

export function planGeneratorInsertion(
  language: LanguageSupport,
  testText: string,
  candidate: ExtractedCandidate,
): GeneratorInsertion {
  const eol = testText.includes('\r\n') ? '\r\n' : '\n';
  const lines = testText.split(/\r?\n/);
  const has = (code: string): boolean => lines.some((line) => squash(line) === squash(code));
  const imports = candidate.additions.filter((a) => a.kind === 'import' && !has(a.code)).map((a) => a.code);
  const helpers = candidate.additions
    .filter((a) => a.kind !== 'import' && !definedAtTopLevel(testText, a.name))
    .map((a) => a.code);
  const generator = language.inputGenerator.asTestFileCode(candidate.code);

  const insertions: TextInsertion[] = [];
  if (imports.length > 0) {
    const offset = afterLastImport(language, testText);
    // A last import without a newline after it ends the file: start on a line of our own.
    const before = offset > 0 && !testText.slice(0, offset).endsWith('\n') ? eol : '';
    insertions.push({
      offset,
      text: before + imports.join(eol).replace(/\r?\n/g, eol) + eol + (offset === 0 && testText.length > 0 ? eol : ''),
    });
  }
  // Top-level definitions stand apart in the language's usual style (two blank lines in Python, PEP 8).
  const gap = eol.repeat(language.inputGenerator.blankLinesBetweenDefinitions + 1);
  const body = [...helpers, generator].join(gap).replace(/\r?\n/g, eol);
  insertions.push({ offset: testText.length, text: separatorAtEnd(testText, language, eol) + body + eol });
  return { insertions, result: apply(testText, insertions) };
}

/** Newlines so the generator stands apart from the file's last line as definitions do. */
function separatorAtEnd(text: string, language: LanguageSupport, eol: string): string {
  const content = text.replace(/\s+$/, '');
  if (content.length === 0) return '';
  const newlines = (text.slice(content.length).match(/\n/g) ?? []).length;
  const wanted = language.inputGenerator.blankLinesBetweenDefinitions + 1;
  return eol.repeat(Math.max(0, wanted - newlines));
}

/** The offset right after the file's last top-level import statement (0 if none), multi-line ones included. */
function afterLastImport(language: LanguageSupport, text: string): number {
  const pattern = language.inputGenerator.importStart;
  const lines = text.split('\n');
  const starts: number[] = [];
  lines.reduce((offset, line) => (starts.push(offset), offset + line.length + 1), 0);
  let endLine = -1;
  for (let i = 0; i < lines.length; i++) {
    if (!pattern.test(lines[i] ?? '')) continue;
    let j = i;
    const finished = (k: number): boolean => language.inputGenerator.importEndsAt(lines, i, k);
    while (j < lines.length - 1 && !finished(j)) j++;
    endLine = j;
    i = j;
  }
  if (endLine < 0) return 0;
  return Math.min(text.length, (starts[endLine] ?? 0) + (lines[endLine] ?? '').length + 1);
}

function definedAtTopLevel(text: string, name: string | undefined): boolean {
  if (!name) return false;
  const escaped = name.replace(/[$]/g, '\\$');
  return new RegExp(
    `^(?:export\\s+)?(?:(?:async\\s+)?(?:def|function|class)\\s+${escaped}\\b|(?:(?:const|let|var)\\s+)?${escaped}\\s*(?::[^=\\n]*)?=(?!=))`,
    'm',
  ).test(text);
}

function apply(text: string, insertions: readonly TextInsertion[]): string {
  let result = text;
  for (const insertion of [...insertions].sort((a, b) => b.offset - a.offset)) {
    result = result.slice(0, insertion.offset) + insertion.text + result.slice(insertion.offset);
  }
  return result;
}

function squash(code: string): string {
  return code.replace(/\s+/g, ' ').trim();
}
