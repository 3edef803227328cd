/**
 * Finds Python function and class definitions without a parser: logical lines (brackets and
 * backslashes join physical lines; strings and comments are skipped), indentation for nesting,
 * and the decorators right above a definition as part of it.
 */
import type { ClassLocation, Definitions, FunctionLocation } from '../../core/functionLocator';
import { LineIndex } from '../common/lineIndex';

/** Indentation width with tabs to the next multiple of 8, as Python counts it. */
function indentWidth(indent: string): number {
  let w = 0;
  for (const ch of indent) w = ch === '\t' ? w + 8 - (w % 8) : w + 1;
  return w;
}

interface LogicalLine {
  /** Offset of the first non-blank character. */
  readonly start: number;
  /** Offset past the last non-blank character of the last physical line (comments included). */
  readonly end: number;
  readonly indent: string;
  readonly width: number;
}

/** Splits Python source into logical lines (joining bracketed and backslash-continued lines). */
function pythonLogicalLines(text: string): LogicalLine[] {
  const lines: LogicalLine[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    // At the start of a physical line that begins a new logical line.
    const lineStart = i;
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f')) i++;
    const indent = text.slice(lineStart, i);
    if (i >= n) break;
    if (text[i] === '\n' || text[i] === '\r' || text[i] === '#') {
      while (i < n && text[i] !== '\n') i++;
      i++;
      continue;
    }
    const start = i;
    let depth = 0;
    let lastContent = i;
    while (i < n) {
      const ch = text[i] as string;
      if (ch === '#') {
        while (i < n && text[i] !== '\n') i++;
        continue;
      }
      if (ch === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
        i += text[i + 1] === '\r' ? 3 : 2;
        continue;
      }
      if (ch === '\n') {
        if (depth > 0) {
          i++;
          continue;
        }
        break;
      }
      if (ch === '"' || ch === "'") {
        i = skipPythonString(text, i);
        lastContent = i;
        continue;
      }
      if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
      i++;
      if (ch !== ' ' && ch !== '\t' && ch !== '\r') lastContent = i;
    }
    // The logical line ends at the newline; keep a trailing comment with it.
    let end = i;
    while (end > lastContent && /\s/.test(text[end - 1] as string)) end--;
    lines.push({ start, end: Math.max(end, lastContent), indent, width: indentWidth(indent) });
    i++;
  }
  return lines;
}

/** `i` is at a quote; returns the offset past the closing quote (or end of text). */
function skipPythonString(text: string, i: number): number {
  const quote = text[i] as string;
  const triple = text[i + 1] === quote && text[i + 2] === quote;
  let j = i + (triple ? 3 : 1);
  while (j < text.length) {
    const ch = text[j];
    if (ch === '\\') {
      j += 2;
      continue;
    }
    if (triple) {
      if (ch === quote && text[j + 1] === quote && text[j + 2] === quote) return j + 3;
    } else {
      if (ch === quote) return j + 1;
      if (ch === '\n') return j; // unterminated: stop at the line end
    }
    j++;
  }
  return j;
}

const PY_DEF = /^(?:async[ \t]+)?def[ \t]+([A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*)/;
const PY_CLASS = /^class[ \t]+([A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*)/;

export function scanPython(text: string): Definitions {
  const lines = pythonLogicalLines(text);
  const index = new LineIndex(text);
  const functions: FunctionLocation[] = [];
  const classes: ClassLocation[] = [];
  const scope: { width: number; name: string; kind: 'def' | 'class' }[] = [];
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k] as LogicalLine;
    const head = text.slice(line.start, line.end);
    const def = PY_DEF.exec(head);
    const cls = def ? null : PY_CLASS.exec(head);
    if (!def && !cls) continue;
    while (scope.length > 0 && (scope[scope.length - 1] as { width: number }).width >= line.width) scope.pop();
    // Decorators: the logical lines right above at the same indentation that start with '@'.
    let first = k;
    while (first > 0) {
      const prev = lines[first - 1] as LogicalLine;
      if (prev.width !== line.width || text[prev.start] !== '@') break;
      first--;
    }
    let last = k;
    while (last + 1 < lines.length && (lines[last + 1] as LogicalLine).width > line.width) last++;
    const start = (lines[first] as LogicalLine).start;
    const end = (lines[last] as LogicalLine).end;
    const name = ((def ?? cls) as RegExpExecArray)[1] as string;
    const qualifiedName = [...scope.map((s) => s.name), name].join('.');
    const parent = scope[scope.length - 1];
    const common = {
      start,
      end,
      startLine: index.lineOf(start),
      endLine: index.lineOf(end),
      name,
      qualifiedName,
      indent: line.indent,
    };
    if (def) {
      functions.push(
        parent?.kind === 'class'
          ? { ...common, kind: 'method', className: parent.name }
          : { ...common, kind: 'function' },
      );
    } else {
      classes.push({ ...common, headerEnd: line.end });
    }
    scope.push({ width: line.width, name, kind: def ? 'def' : 'class' });
  }
  return { functions, classes };
}
