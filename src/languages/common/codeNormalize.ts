/**
 * A canonical form of code for spotting a candidate the loop already tried: comments dropped,
 * whitespace runs collapsed (where indentation is meaning, line breaks and indentation are kept),
 * blank lines gone. Strings are kept verbatim. Each language describes its lexical rules.
 */
export interface LexicalRules {
  /** `` ` `` delimits strings (template literals). */
  readonly backtickStrings: boolean;
  /** `'''` and `"""` delimit strings. */
  readonly tripleQuotedStrings: boolean;
  /** What starts a comment to the end of the line. */
  readonly lineComment: '#' | '//';
  /** `/* … *\/` comments. */
  readonly blockComments: boolean;
  /** Line breaks and indentation are syntax (Python). */
  readonly significantIndentation: boolean;
}

export function normalizeCode(rules: LexicalRules, code: string): string {
  const out: string[] = [];
  const n = code.length;
  let i = 0;
  while (i < n) {
    const ch = code[i] as string;
    if (ch === '"' || ch === "'" || (ch === '`' && rules.backtickStrings)) {
      const triple = rules.tripleQuotedStrings && code[i + 1] === ch && code[i + 2] === ch;
      const close = triple ? ch.repeat(3) : ch;
      let j = i + close.length;
      while (j < n && !code.startsWith(close, j)) j += code[j] === '\\' ? 2 : 1;
      j = Math.min(n, j + close.length);
      out.push(code.slice(i, j));
      i = j;
      continue;
    }
    if (code.startsWith(rules.lineComment, i)) {
      while (i < n && code[i] !== '\n') i++;
      continue;
    }
    if (rules.blockComments && ch === '/' && code[i + 1] === '*') {
      const close = code.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      if (/[\w$]$/.test(out[out.length - 1] ?? '') && /[\w$]/.test(code[i] ?? '')) out.push(' ');
      continue;
    }
    if (/\s/.test(ch)) {
      const from = i;
      while (i < n && /\s/.test(code[i] as string)) i++;
      const run = code.slice(from, i);
      // Python's indentation is meaning: keep the line break and the new line's indentation.
      const lastBreak = run.lastIndexOf('\n');
      if (rules.significantIndentation)
        out.push(lastBreak >= 0 ? '\n' + run.slice(lastBreak + 1).replace(/\r/g, '') : ' ');
      // In JS/TS whitespace only matters between two word characters.
      else if (/[\w$]$/.test(out[out.length - 1] ?? '') && /[\w$]/.test(code[i] ?? '')) out.push(' ');
      continue;
    }
    out.push(ch);
    i++;
  }
  return out
    .join('')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n+/g, '\n')
    .trim();
}
