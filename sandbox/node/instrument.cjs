'use strict';
// Puts the recorder on a function's own binding, in the module's source, at load time. Wrapping
// the binding (rather than an export of the loaded module) is what makes every path reach the
// recorder: calls from inside the module, functions that are not exported, `export const f =
// createF()`, default exports, and modules in an import cycle that read the binding before the
// module has finished loading. Line numbers stay as they are (stack traces and source maps
// keep pointing at the user's lines): every insertion is made within an existing line.
//
// Handled: top-level `function f` / `async function f` / `function* f` (also exported or the
// default export): the binding is reassigned at the start of the declaration's line (function
// declarations are hoisted, so it is initialised there); top-level `const|let|var f = …`: `const`
// becomes `let` and the reassignment goes right after the end of the statement. Anything else
// (e.g. `exports.f = function …`) is left to the export-based wrapping in targetModule.mjs.
// CommonJS, so that jest's transformer (jestTransform.cjs) can require it too.

/** The code that hands a function to the harness; a bare global read, valid JavaScript and TypeScript. */
function wrapCall(name, key) {
  // Outside a harness run (no global) the function stays as it is.
  const get = `Function('return globalThis.__afterburnerWrap || ((f) => f)')()`;
  // The setter lets the harness put the unwrapped function back before measuring.
  return `${name} = ${get}(${name}, ${JSON.stringify(key)}, (v) => { ${name} = v; });`;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Characters after which a `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set([
  '',
  '(',
  ',',
  '=',
  ':',
  '[',
  '!',
  '&',
  '|',
  '?',
  '{',
  '}',
  ';',
  '+',
  '-',
  '*',
  '%',
  '<',
  '>',
  '~',
  '^',
]);

/**
 * The index just after the statement that starts at `start`: the first `;` at bracket depth 0, or a
 * line break at depth 0 that automatic semicolon insertion would end the statement at (the next line
 * does not continue the expression). Strings, template literals, comments and regular expressions
 * are skipped.
 */
function statementEnd(source, start) {
  let depth = 0;
  let last = ''; // the last significant character
  let lastWord = '';
  const templates = []; // depth at which each open `${` of a template literal started
  let i = start;
  const n = source.length;
  const skipString = (quote) => {
    for (i++; i < n && source[i] !== quote; i++) {
      if (source[i] === '\\') i++;
      else if (source[i] === '\n') break;
    }
  };
  const skipTemplate = () => {
    // from just after a backtick or a closing `}` of a substitution; stops after the closing backtick or at `${`
    for (; i < n; i++) {
      if (source[i] === '\\') i++;
      else if (source[i] === '`') return;
      else if (source[i] === '$' && source[i + 1] === '{') {
        templates.push(depth);
        depth++;
        i++;
        return;
      }
    }
  };
  for (; i < n; i++) {
    const c = source[i];
    if (c === '/' && source[i + 1] === '/') {
      while (i < n && source[i] !== '\n') i++;
      i--;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const close = source.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      skipString(c);
      last = c;
      continue;
    }
    if (c === '`') {
      i++;
      skipTemplate();
      last = '`';
      continue;
    }
    if (c === '/' && (BEFORE_REGEX.has(last) || /^(return|typeof|case|in|of|void|delete)$/.test(lastWord))) {
      let inClass = false;
      for (i++; i < n; i++) {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        else if (source[i] === '/' && !inClass) break;
        else if (source[i] === '\n') break;
      }
      last = '/re';
      lastWord = '';
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '}') {
      if (templates.length > 0 && templates[templates.length - 1] === depth - 1) {
        templates.pop();
        depth--;
        i++;
        skipTemplate();
        last = '`';
        continue;
      }
      depth--;
    } else if (c === ';' && depth === 0) return i + 1;
    else if (c === '\n' && depth === 0 && !continuesAfter(last, lastWord) && !continuesBefore(source, i + 1)) {
      return i;
    }
    if (/\s/.test(c)) continue;
    if (/[\w$]/.test(c)) {
      lastWord = /[\w$]/.test(last) ? lastWord + c : c;
    } else {
      lastWord = '';
    }
    last = /[\w$]/.test(c) ? 'w' : c;
    if (depth < 0) return i;
  }
  return n;
}

/** The statement goes on after a line that ends in an operator, `,` or `=>`. */
function continuesAfter(last, lastWord) {
  if (last === '' || last === 'w')
    return /^(in|of|instanceof|new|typeof|await|yield|extends|as|satisfies)$/.test(lastWord);
  return '=+-*/%&|^!~?:,.<>('.includes(last);
}

/** The next non-blank line starts with something that continues the previous expression. */
function continuesBefore(source, from) {
  const rest = source.slice(from).replace(/^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '');
  return /^(?:[.?:,+\-*/%&|^=<>[(`]|instanceof\b|in\b|as\b|satisfies\b)/.test(rest) && !/^(?:\+\+|--)/.test(rest);
}

/** `import`/`export` statements at the start of a line: ES module syntax (a CommonJS file has none). */
const ESM_SYNTAX =
  /^\s*(?:import\s*(?:[\w$]+\s*(?:,|from)|[{*]|['"])|export\s+(?:default\b|const\b|let\b|var\b|function\b|async\b|class\b|[{*]))/m;

/**
 * Where code may first go without changing what the module means: after a `#!` line and the
 * directive prologue (`'use strict'` and the like), which must stay first; within their line.
 */
function prologueEnd(source) {
  let i = source.startsWith('#!') ? source.indexOf('\n') + 1 || source.length : 0;
  let end = i;
  const directive = /(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*(['"])[^'"\\\n]*\1[ \t]*;?/y;
  for (;;) {
    directive.lastIndex = i;
    const m = directive.exec(source);
    // A string followed by more of an expression (`'a' + b`) is not a directive.
    if (!m || /^[ \t]*[^\s;/]/.test(source.slice(directive.lastIndex).split('\n')[0])) break;
    i = end = directive.lastIndex;
  }
  return end;
}

/**
 * The module source with `name`'s top-level binding handed to `globalThis.__afterburnerWrap(fn, key, set)`
 * (which returns what the binding then holds), or
 * undefined when no top-level declaration of `name` is found.
 */
function instrumentSource(source, name, key = name) {
  const method = /^([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)$/.exec(name);
  if (method) return instrumentClass(source, method[1], key);
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return undefined;
  const id = escapeRegExp(name);
  const fn = new RegExp(`^((?:export\\s+(?:default\\s+)?)?(?:async\\s+)?function\\s*\\*?\\s*)${id}\\s*[(<]`, 'm').exec(
    source,
  );
  if (fn) {
    // A declaration is hoisted: the module may hand it out before its line (`module.exports = f`
    // above `function f`), so the binding is wrapped at the module's start too. The line's own
    // wrapping stays for a declaration in a block, which the start cannot see (the harness hands
    // out one wrapper per function, so the second changes nothing).
    const atLine = source.slice(0, fn.index) + wrapCall(name, key) + source.slice(fn.index);
    const start = prologueEnd(atLine);
    const early = `${atLine[start - 1] === ';' || start === 0 ? '' : ';'}if (typeof ${name} === 'function') ${wrapCall(name, key)}`;
    return atLine.slice(0, start) + early + atLine.slice(start);
  }
  const binding = new RegExp(`^((?:export\\s+)?)(const|let|var)(\\s+)${id}\\b(?=\\s*[=:])`, 'm').exec(source);
  if (binding) {
    const keywordAt = binding.index + binding[1].length;
    // `const` → `let  ` keeps every column where it was.
    const keyword = binding[2] === 'const' ? 'let  ' : binding[2];
    const rewritten = source.slice(0, keywordAt) + keyword + source.slice(keywordAt + binding[2].length);
    const end = statementEnd(rewritten, keywordAt);
    const sep = rewritten[end - 1] === ';' ? '' : ';';
    return rewritten.slice(0, end) + sep + wrapCall(name, key) + rewritten.slice(end);
  }
  return undefined;
}

/**
 * `Class.method`: the class declared at the top level is handed, right after its declaration, to
 * `globalThis.__afterburnerWrapMethod(Class, key)`, which puts the recorder on the method in place
 * (for runners that load the module in a registry of their own, e.g. jest).
 */
function instrumentClass(source, className, key) {
  const found = new RegExp(`^(?:export\\s+(?:default\\s+)?)?class\\s+${escapeRegExp(className)}\\b`, 'm').exec(source);
  if (!found) return undefined;
  const end = statementEnd(source, found.index);
  const get = `Function('return globalThis.__afterburnerWrapMethod || (() => undefined)')()`;
  return `${source.slice(0, end)};${get}(${className}, ${JSON.stringify(key)});${source.slice(end)}`;
}

exports.wrapCall = wrapCall;
exports.statementEnd = statementEnd;
exports.instrumentSource = instrumentSource;
exports.ESM_SYNTAX = ESM_SYNTAX;
