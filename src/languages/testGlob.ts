/**
 * Glob patterns as test runners write them (jest `testMatch`, vitest `include`, mocha `spec`),
 * matched against project-relative POSIX paths: `**`, `*`, `?`, `[…]`, `{a,b}` and the extglobs
 * `?(…)`, `*(…)`, `+(…)`, `@(…)`, `!(…)` that jest's defaults use. Enough to read the runner's own
 * patterns; not a full micromatch.
 */

/** A RegExp for `glob`, anchored at both ends; `**\/` also matches no folder at all. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${translate(glob.replace(/^\.\//, ''))}$`);
}

export function matchesGlob(path: string, glob: string): boolean {
  return globToRegExp(glob).test(path);
}

/** Whether `text` uses any glob syntax (else it names a file or a folder). */
export function isGlob(text: string): boolean {
  return /[*?[\]{}]|[?*+@!]\(/.test(text);
}

function translate(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    const next = glob[i + 1];
    if ('?*+@!'.includes(c) && next === '(') {
      const end = closing(glob, i + 1, '(', ')');
      if (end > 0) {
        const inner = splitTop(glob.slice(i + 2, end), '|')
          .map(translate)
          .join('|');
        out += c === '!' ? `(?:(?!(?:${inner})(?:/|$))[^/]*)` : `(?:${inner})${c === '@' ? '' : c}`;
        i = end;
        continue;
      }
    }
    if (c === '*') {
      if (next === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const slashAfter = glob[i + 2] === '/';
        if (atStart && slashAfter) {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) {
        out += '\\[';
      } else {
        const body = glob.slice(i + 1, end).replace(/^!/, '^');
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = closing(glob, i, '{', '}');
      if (end < 0) {
        out += '\\{';
      } else {
        out += `(?:${splitTop(glob.slice(i + 1, end), ',')
          .map(translate)
          .join('|')})`;
        i = end;
      }
    } else {
      out += c.replace(/[.+^$()|\\\]}]/g, '\\$&');
    }
  }
  return out;
}

function closing(text: string, open: number, o: string, c: string): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === o) depth++;
    else if (text[i] === c && --depth === 0) return i;
  }
  return -1;
}

/** Splits on `sep` outside any (), {} or []. */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
