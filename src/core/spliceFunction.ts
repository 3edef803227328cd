/**
 * Puts a candidate function where the original was, leaving every other byte of the module as
 * the user wrote it. The candidate is re-indented to the original's indentation, so a method
 * proposed at column 0 lands correctly inside its class.
 */
import type { FunctionLocation } from './functionLocator';

/** Removes the indentation common to all non-blank lines. Tabs and spaces are not mixed up. */
export function dedent(code: string): string {
  const lines = code.replace(/\r\n/g, '\n').split('\n');
  let common: string | undefined;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const lead = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (common === undefined) common = lead;
    else {
      let k = 0;
      while (k < common.length && k < lead.length && common[k] === lead[k]) k++;
      common = common.slice(0, k);
    }
  }
  const cut = common?.length ?? 0;
  return lines.map((line) => (line.trim() === '' ? '' : line.slice(cut))).join('\n');
}

/**
 * The code with its first line unindented (the original's indentation already precedes the
 * splice point) and every following non-blank line prefixed with `indent`. Line endings follow
 * `eol`.
 */
export function reindent(code: string, indent: string, eol = '\n'): string {
  const lines = dedent(code)
    .replace(/^\n+|\s+$/g, '')
    .split('\n');
  return lines.map((line, k) => (k === 0 || line === '' ? line : indent + line)).join(eol);
}

/** The module with the located function replaced by `code`. */
export function spliceFunction(moduleText: string, location: FunctionLocation, code: string): string {
  const eol = moduleText.includes('\r\n') ? '\r\n' : '\n';
  return moduleText.slice(0, location.start) + reindent(code, location.indent, eol) + moduleText.slice(location.end);
}

/** Inserts top-level `blocks` (imports, helpers) at the start of the line holding `offset`. */
export function insertAboveLine(moduleText: string, offset: number, blocks: readonly string[]): string {
  if (blocks.length === 0) return moduleText;
  const eol = moduleText.includes('\r\n') ? '\r\n' : '\n';
  const lineStart = moduleText.lastIndexOf('\n', offset - 1) + 1;
  const text = blocks
    .map((b) =>
      dedent(b)
        .replace(/^\n+|\s+$/g, '')
        .split('\n')
        .join(eol),
    )
    .join(eol + eol);
  return moduleText.slice(0, lineStart) + text + eol + eol + moduleText.slice(lineStart);
}
