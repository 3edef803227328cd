/**
 * Finds JavaScript and TypeScript function and class definitions without a compiler: a small
 * lexer that knows strings, comments, template literals and regex literals, and a structural pass
 * that recognises the definition forms people write (declarations, arrow functions and function
 * expressions bound to names, object and class members, overloads, exports, and functions a
 * factory makes at the top level: `export const defu = createDefu()`).
 */
import type { ClassLocation, Definitions, FunctionLocation } from '../../core/functionLocator';
import { LineIndex } from '../common/lineIndex';

/** Callees whose names say they return a function (from another module, so not seen here). */
const FACTORY_NAME = /^(create|make|build|memoize|memoise|debounce|throttle|curry|compose|pipe|once|wrap|bind)/i;

type TokenKind = 'ident' | 'punct' | 'string' | 'template' | 'regex' | 'number' | 'private';

interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  readonly start: number;
  readonly end: number;
  /** A line break separates this token from the previous one. */
  readonly newlineBefore: boolean;
}

const REGEX_AFTER_KEYWORDS = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

const PUNCTUATORS = [
  '>>>=',
  '...',
  '===',
  '!==',
  '**=',
  '<<=',
  '>>=',
  '>>>',
  '&&=',
  '||=',
  '??=',
  '=>',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '?.',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '**',
  '<<',
  '>>',
];

function isIdentStart(ch: string): boolean {
  return /[A-Za-z_$\u00c0-\uffff]/.test(ch);
}

function isIdentPart(ch: string): boolean {
  return /[\w$\u00c0-\uffff]/.test(ch);
}

/** Tokenises JS/TS; templates (with their `${}` parts) are single tokens. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let newline = false;
  const n = text.length;
  const push = (kind: TokenKind, start: number, end: number): void => {
    tokens.push({ kind, value: text.slice(start, end), start, end, newlineBefore: newline });
    newline = false;
  };
  while (i < n) {
    const ch = text[i] as string;
    if (ch === '\n') {
      newline = true;
      i++;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const stop = close < 0 ? n : close + 2;
      if (text.slice(i, stop).includes('\n')) newline = true;
      i = stop;
      continue;
    }
    const start = i;
    if (ch === '"' || ch === "'") {
      i = skipQuoted(text, i);
      push('string', start, i);
      continue;
    }
    if (ch === '`') {
      i = skipTemplate(text, i);
      push('template', start, i);
      continue;
    }
    if (ch === '/' && regexAllowed(tokens[tokens.length - 1])) {
      i = skipRegex(text, i);
      push('regex', start, i);
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      i++;
      while (i < n && /[\w.]/.test(text[i] as string)) i++;
      push('number', start, i);
      continue;
    }
    if (ch === '#' && isIdentStart(text[i + 1] ?? '')) {
      i += 2;
      while (i < n && isIdentPart(text[i] as string)) i++;
      push('private', start, i);
      continue;
    }
    if (isIdentStart(ch) || ch === '\\') {
      i++;
      while (i < n && isIdentPart(text[i] as string)) i++;
      push('ident', start, i);
      continue;
    }
    const punct = PUNCTUATORS.find((p) => text.startsWith(p, i)) ?? ch;
    i += punct.length;
    push('punct', start, i);
  }
  return tokens;
}

function regexAllowed(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.kind === 'ident') return REGEX_AFTER_KEYWORDS.has(prev.value);
  if (prev.kind === 'punct')
    return prev.value !== ')' && prev.value !== ']' && prev.value !== '++' && prev.value !== '--';
  return false;
}

function skipQuoted(text: string, i: number): number {
  const quote = text[i];
  let j = i + 1;
  while (j < text.length) {
    const ch = text[j];
    if (ch === '\\') j += 2;
    else if (ch === quote) return j + 1;
    else if (ch === '\n') return j;
    else j++;
  }
  return j;
}

function skipRegex(text: string, i: number): number {
  let j = i + 1;
  let inClass = false;
  while (j < text.length) {
    const ch = text[j];
    if (ch === '\\') {
      j += 2;
      continue;
    }
    if (ch === '\n') return j;
    if (inClass) {
      if (ch === ']') inClass = false;
    } else if (ch === '[') inClass = true;
    else if (ch === '/') {
      j++;
      while (j < text.length && isIdentPart(text[j] as string)) j++;
      return j;
    }
    j++;
  }
  return j;
}

/** `i` at a backquote; returns the offset past the closing one, walking `${ … }` as code. */
function skipTemplate(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length) {
    const ch = text[j];
    if (ch === '\\') {
      j += 2;
      continue;
    }
    if (ch === '`') return j + 1;
    if (ch === '$' && text[j + 1] === '{') {
      j = skipTemplateExpression(text, j + 2);
      continue;
    }
    j++;
  }
  return j;
}

/** Inside `${`: returns the offset past the matching `}`. */
function skipTemplateExpression(text: string, i: number): number {
  let depth = 0;
  let j = i;
  let prev: Token | undefined;
  while (j < text.length) {
    const ch = text[j] as string;
    if (ch === '}' && depth === 0) return j + 1;
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    if (ch === '"' || ch === "'") {
      j = skipQuoted(text, j);
      prev = { kind: 'string', value: '', start: j, end: j, newlineBefore: false };
      continue;
    }
    if (ch === '`') {
      j = skipTemplate(text, j);
      prev = { kind: 'template', value: '', start: j, end: j, newlineBefore: false };
      continue;
    }
    if (ch === '/' && text[j + 1] === '/') {
      while (j < text.length && text[j] !== '\n') j++;
      continue;
    }
    if (ch === '/' && text[j + 1] === '*') {
      const close = text.indexOf('*/', j + 2);
      j = close < 0 ? text.length : close + 2;
      continue;
    }
    if (ch === '/' && regexAllowed(prev)) {
      j = skipRegex(text, j);
      prev = { kind: 'regex', value: '', start: j, end: j, newlineBefore: false };
      continue;
    }
    if (!/\s/.test(ch)) {
      if (isIdentPart(ch)) {
        const s = j;
        while (j < text.length && isIdentPart(text[j] as string)) j++;
        prev = { kind: 'ident', value: text.slice(s, j), start: s, end: j, newlineBefore: false };
        continue;
      }
      prev = { kind: 'punct', value: ch, start: j, end: j + 1, newlineBefore: false };
    }
    j++;
  }
  return j;
}

const MEMBER_MODIFIERS = new Set([
  'static',
  'async',
  'get',
  'set',
  'public',
  'private',
  'protected',
  'readonly',
  'override',
  'abstract',
  'accessor',
  'declare',
]);

const TYPE_LITERAL_BRACE_AFTER = new Set([':', '|', '&', '<', ',', '(', '=>', '[', '?', 'keyof', 'typeof', '=']);

/** Tokens after which `function` starts an expression passed on or combined, not a definition. */
const ARGUMENT_BEFORE = new Set([
  '(',
  ',',
  '[',
  '?',
  '||',
  '&&',
  '??',
  '!',
  '=>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '==',
  '===',
  '!=',
  '!==',
]);
const EXPRESSION_CONTINUERS = new Set([
  '.',
  '?.',
  '?',
  ':',
  '+',
  '-',
  '*',
  '/',
  '%',
  '**',
  '&&',
  '||',
  '??',
  '==',
  '===',
  '!=',
  '!==',
  '<',
  '>',
  '<=',
  '>=',
  '&',
  '|',
  '^',
  '<<',
  '>>',
  '>>>',
  '=',
  '=>',
  ',',
  '(',
  '[',
  'instanceof',
  'in',
]);

class ScriptScanner {
  readonly functions: FunctionLocation[] = [];
  /** Top-level `const NAME = callee(…)`, kept once the whole file shows callee makes functions. */
  private readonly factoryMade: { readonly location: FunctionLocation; readonly callee: string }[] = [];
  readonly classes: ClassLocation[] = [];
  private readonly tokens: Token[];
  /** Index of the matching bracket for every (, [, { and their closers. */
  private readonly match = new Map<number, number>();
  private readonly index: LineIndex;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
    this.index = new LineIndex(text);
    const stack: number[] = [];
    this.tokens.forEach((t, k) => {
      if (t.kind !== 'punct') return;
      if (t.value === '(' || t.value === '[' || t.value === '{') stack.push(k);
      else if (t.value === ')' || t.value === ']' || t.value === '}') {
        const open = stack.pop();
        if (open !== undefined) {
          this.match.set(open, k);
          this.match.set(k, open);
        }
      }
    });
  }

  run(): Definitions {
    this.scanStatements(0, this.tokens.length, []);
    const declared = new Set(this.functions.filter((f) => f.qualifiedName === f.name).map((f) => f.name));
    for (const { location, callee } of this.factoryMade) {
      if (declared.has(callee) || FACTORY_NAME.test(callee)) this.functions.push(location);
    }
    return {
      functions: this.functions.sort((a, b) => a.start - b.start),
      classes: this.classes.sort((a, b) => a.start - b.start),
    };
  }

  private tok(k: number): Token | undefined {
    return this.tokens[k];
  }

  private is(k: number, value: string): boolean {
    const t = this.tokens[k];
    return t !== undefined && (t.kind === 'punct' || t.kind === 'ident') && t.value === value;
  }

  private closing(k: number): number | undefined {
    return this.match.get(k);
  }

  /** Walks tokens [from, to) in a code scope, recording definitions. */
  private scanStatements(from: number, to: number, scope: readonly string[]): void {
    let k = from;
    while (k < to) {
      const next = this.tryDefinition(k, to, scope);
      k = next ?? k + 1;
    }
  }

  /** If a definition starts at token k, records it and returns the token index after it. */
  private tryDefinition(k: number, to: number, scope: readonly string[]): number | undefined {
    const t = this.tok(k);
    if (!t || t.kind !== 'ident') return undefined;
    // Property access like `obj.function` or `x.class` is not a definition.
    const before = this.tok(k - 1);
    if (before && (before.value === '.' || before.value === '?.') && before.kind === 'punct') return undefined;
    let j = k;
    if (this.is(j, 'export')) j++;
    if (this.is(j, 'default')) j++;
    if (this.is(j, 'declare')) return undefined;
    if (this.is(j, 'abstract') && this.is(j + 1, 'class')) j++;
    if (this.is(j, 'async') && this.is(j + 1, 'function') && !this.tok(j + 1)?.newlineBefore) j++;
    if (this.is(j, 'function')) {
      // `A.prototype.m = function …`: a method of the constructor function A.
      if (k === j && this.is(k - 1, '=')) {
        const method = this.prototypeMethod(k, to, scope);
        if (method !== undefined) return method;
      }
      // A function written as an argument or operand (`xs.map(function f() {…})`) is part of the
      // code around it, like an arrow function: nothing a test can call by itself.
      if (before && (ARGUMENT_BEFORE.has(before.value) || (before.kind === 'ident' && before.value === 'return')))
        return undefined;
      return this.functionDeclaration(k, j, to, scope);
    }
    if (this.is(j, 'class')) return this.classDeclaration(k, j, scope, undefined);
    if (this.is(j, 'const') || this.is(j, 'let') || this.is(j, 'var')) return this.variableDeclaration(k, j, to, scope);
    return undefined;
  }

  /**
   * `Ctor.prototype.name = function [n](…) {…}` with `function` at k: recorded as the method
   * `Ctor.name` from `Ctor` to the end of the statement (the harness finds it on Ctor's prototype).
   */
  private prototypeMethod(k: number, to: number, scope: readonly string[]): number | undefined {
    const [ctor, dot1, proto, dot2, name] = [k - 6, k - 5, k - 4, k - 3, k - 2].map((i) => this.tok(i));
    if (ctor?.kind !== 'ident' || name?.kind !== 'ident' || proto?.value !== 'prototype') return undefined;
    if (dot1?.value !== '.' || dot2?.value !== '.' || this.is(k - 7, '.')) return undefined;
    const value = this.functionValue(k, to);
    const body = value?.body;
    if (value === undefined || body === undefined || value.end > to) return undefined;
    const close = value.end;
    const end = this.is(close + 1, ';') ? close + 1 : close;
    this.record(k - 6, end, name.value, [...scope, ctor.value], ctor.value);
    this.scanStatements(body + 1, close, [...scope, ctor.value, name.value]);
    return end + 1;
  }

  /** `function` at j (modifiers from k). */
  private functionDeclaration(k: number, j: number, to: number, scope: readonly string[]): number | undefined {
    let p = j + 1;
    if (this.is(p, '*')) p++;
    const nameTok = this.tok(p);
    if (!nameTok || nameTok.kind !== 'ident') return undefined; // anonymous: nothing to name
    const body = this.signatureToBody(p + 1);
    if (body === undefined) return p + 1;
    const close = this.closing(body);
    if (close === undefined || close > to) return undefined;
    this.record(k, close, nameTok.value, scope, undefined);
    this.scanStatements(body + 1, close, [...scope, nameTok.value]);
    return close + 1;
  }

  /**
   * From just after a function's name (generics, params, return type), returns the index of the
   * body's `{`, or undefined for a body-less signature (overload, abstract, declare).
   */
  private signatureToBody(p: number): number | undefined {
    if (this.is(p, '<')) p = this.skipAngles(p);
    if (!this.is(p, '(')) return undefined;
    const closeParen = this.closing(p);
    if (closeParen === undefined) return undefined;
    p = closeParen + 1;
    if (this.is(p, ':')) p = this.skipType(p + 1, (q) => this.is(q, '{'));
    return this.is(p, '{') ? p : undefined;
  }

  /** Skips a TS type starting at p until `stop(q)` holds at depth 0 outside type literals. */
  private skipType(p: number, stop: (q: number) => boolean): number {
    while (p < this.tokens.length) {
      const t = this.tok(p) as Token;
      if (t.kind === 'punct' && (t.value === '(' || t.value === '[')) {
        p = (this.closing(p) ?? p) + 1;
        continue;
      }
      if (t.kind === 'punct' && t.value === '<') {
        p = this.skipAngles(p);
        continue;
      }
      if (t.kind === 'punct' && t.value === '{') {
        const prev = this.tok(p - 1);
        if (prev && TYPE_LITERAL_BRACE_AFTER.has(prev.value)) {
          p = (this.closing(p) ?? p) + 1;
          continue;
        }
      }
      if (stop(p)) return p;
      if (t.kind === 'punct' && (t.value === ';' || t.value === '}' || t.value === ')')) return p;
      p++;
    }
    return p;
  }

  /** At `<`: returns the index after the matching `>` (generic parameter lists). */
  private skipAngles(p: number): number {
    let depth = 0;
    while (p < this.tokens.length) {
      const t = this.tok(p) as Token;
      if (t.kind === 'punct') {
        if (t.value === '<') depth++;
        else if (t.value === '>') depth--;
        else if (t.value === '>>') depth -= 2;
        else if (t.value === '>>>') depth -= 3;
        else if (t.value === '(' || t.value === '[' || t.value === '{') {
          p = (this.closing(p) ?? p) + 1;
          continue;
        } else if (t.value === ';') return p;
        if (depth <= 0) return p + 1;
      }
      p++;
    }
    return p;
  }

  /** `const|let|var NAME [: T] = <function | arrow | class>` at j. */
  private variableDeclaration(k: number, j: number, to: number, scope: readonly string[]): number | undefined {
    const nameTok = this.tok(j + 1);
    if (!nameTok || nameTok.kind !== 'ident') return undefined;
    let p = j + 2;
    if (this.is(p, '!')) p++;
    if (this.is(p, ':')) p = this.skipType(p + 1, (q) => this.is(q, '='));
    if (!this.is(p, '=')) return undefined;
    p++;
    if (this.is(p, 'class')) return this.classDeclaration(k, p, scope, nameTok.value);
    const value = this.functionValue(p, to);
    if (!value) return scope.length === 0 ? this.factoryCall(k, p, to, nameTok.value) : undefined;
    let end = value.end;
    if (this.is(end + 1, ';')) end++;
    this.record(k, end, nameTok.value, scope, undefined);
    if (value.body !== undefined) this.scanStatements(value.body + 1, value.end, [...scope, nameTok.value]);
    return end + 1;
  }

  /**
   * `callee(…)` or `a.b.callee(…)` at p as the whole initialiser (a TypeScript `as T` or
   * `satisfies T` may follow), bound to `name` at the top level: a function a factory makes,
   * remembered until run() knows whether the callee makes functions.
   */
  private factoryCall(k: number, p: number, to: number, name: string): number | undefined {
    let q = p;
    if (this.tok(q)?.kind !== 'ident') return undefined;
    while (this.is(q + 1, '.') && this.tok(q + 2)?.kind === 'ident') q += 2;
    const callee = (this.tok(q) as Token).value;
    q++;
    if (this.is(q, '<')) q = this.skipAngles(q);
    if (!this.is(q, '(')) return undefined;
    const close = this.closing(q);
    if (close === undefined || close >= to) return undefined;
    let end = close;
    if (this.is(end + 1, 'as') || this.is(end + 1, 'satisfies')) end = this.expressionEnd(end + 2, to);
    const next = this.tok(end + 1);
    const endsStatement = next === undefined || this.is(end + 1, ';') || next.newlineBefore;
    if (!endsStatement) return undefined;
    if (this.is(end + 1, ';')) end++;
    const start = (this.tok(k) as Token).start;
    const last = (this.tok(end) as Token).end;
    this.factoryMade.push({
      callee,
      location: {
        start,
        end: last,
        startLine: this.index.lineOf(start),
        endLine: this.index.lineOf(last),
        name,
        qualifiedName: name,
        indent: this.index.indentAt(start),
        kind: 'function',
      },
    });
    return end + 1;
  }

  /**
   * A function or arrow function expression starting at p. Returns the index of its last token
   * and, for block bodies, the `{` index.
   */
  private functionValue(p: number, to: number): { end: number; body?: number } | undefined {
    if (this.is(p, 'async') && !this.tok(p + 1)?.newlineBefore) p++;
    if (this.is(p, 'function')) {
      let q = p + 1;
      if (this.is(q, '*')) q++;
      if (this.tok(q)?.kind === 'ident' && !this.is(q, '(')) q++;
      const body = this.signatureToBody(q);
      const close = body === undefined ? undefined : this.closing(body);
      return body === undefined || close === undefined ? undefined : { end: close, body };
    }
    // Arrow: [<T>] (params) [: R] => body   or   ident => body
    let q = p;
    if (this.is(q, '<')) q = this.skipAngles(q);
    if (this.is(q, '(')) {
      const close = this.closing(q);
      if (close === undefined) return undefined;
      q = close + 1;
      if (this.is(q, ':')) q = this.skipType(q + 1, (r) => this.is(r, '=>'));
    } else if (this.tok(q)?.kind === 'ident') {
      q++;
    } else return undefined;
    if (!this.is(q, '=>')) return undefined;
    q++;
    if (this.is(q, '{')) {
      const close = this.closing(q);
      return close === undefined ? undefined : { end: close, body: q };
    }
    return { end: this.expressionEnd(q, to) };
  }

  /** The last token of an expression starting at p (an arrow's expression body). */
  private expressionEnd(p: number, to: number): number {
    let last = p;
    let q = p;
    while (q < to) {
      const t = this.tok(q) as Token;
      if (
        t.kind === 'punct' &&
        (t.value === ';' || t.value === ')' || t.value === ']' || t.value === '}' || t.value === ',')
      )
        break;
      if (q > p && t.newlineBefore) {
        const prev = this.tok(last) as Token;
        const continues =
          EXPRESSION_CONTINUERS.has(prev.value) ||
          EXPRESSION_CONTINUERS.has(t.value) ||
          t.value === '.' ||
          t.value === '?.';
        if (!continues) break;
      }
      if (t.kind === 'punct' && (t.value === '(' || t.value === '[' || t.value === '{')) {
        last = this.closing(q) ?? q;
        q = last + 1;
        continue;
      }
      last = q;
      q++;
    }
    return last;
  }

  /** `class` at j (modifiers from k); `alias` names class expressions assigned to a variable. */
  private classDeclaration(
    k: number,
    j: number,
    scope: readonly string[],
    alias: string | undefined,
  ): number | undefined {
    let p = j + 1;
    let name = alias;
    const nameTok = this.tok(p);
    if (nameTok?.kind === 'ident' && nameTok.value !== 'extends' && nameTok.value !== 'implements') {
      name = alias ?? nameTok.value;
      p++;
    }
    if (name === undefined) return undefined;
    // Heritage: skip to the body's `{` (generic arguments and call expressions may hold braces).
    while (p < this.tokens.length && !this.is(p, '{')) {
      if (this.is(p, '<')) p = this.skipAngles(p);
      else if (this.is(p, '(') || this.is(p, '[')) p = (this.closing(p) ?? p) + 1;
      else if (this.is(p, ';')) return p;
      else p++;
    }
    const open = p;
    const close = this.closing(open);
    if (close === undefined) return undefined;
    let end = close;
    if (alias !== undefined && this.is(end + 1, ';')) end++;
    const start = (this.tok(k) as Token).start;
    const qualifiedName = [...scope, name].join('.');
    this.classes.push({
      start,
      end: (this.tok(end) as Token).end,
      startLine: this.index.lineOf(start),
      endLine: this.index.lineOf((this.tok(end) as Token).end),
      name,
      qualifiedName,
      indent: this.index.indentAt(start),
      headerEnd: (this.tok(open) as Token).end,
    });
    this.scanClassBody(open + 1, close, [...scope, name], name);
    return end + 1;
  }

  private scanClassBody(from: number, to: number, scope: readonly string[], className: string): void {
    let k = from;
    while (k < to) {
      if (this.is(k, ';')) {
        k++;
        continue;
      }
      k = this.classMember(k, to, scope, className);
    }
  }

  /** Parses one class member starting at k; returns the index after it. */
  private classMember(k: number, to: number, scope: readonly string[], className: string): number {
    let p = k;
    // Decorators: @name, @a.b, @call(...)
    while (this.is(p, '@')) {
      p++;
      while (this.tok(p)?.kind === 'ident' || this.is(p, '.')) p++;
      if (this.is(p, '(')) p = (this.closing(p) ?? p) + 1;
    }
    // Modifiers are keywords only when another name follows (a method may be called `get`).
    while (
      this.tok(p)?.kind === 'ident' &&
      MEMBER_MODIFIERS.has((this.tok(p) as Token).value) &&
      !this.is(p + 1, '(') &&
      !this.is(p + 1, '=') &&
      !this.is(p + 1, ';') &&
      !this.is(p + 1, ':') &&
      !this.is(p + 1, '<') &&
      !this.is(p + 1, '?') &&
      !(this.tok(p + 1)?.newlineBefore ?? true)
    ) {
      p++;
    }
    if (this.is(p, '*')) p++;
    const nameTok = this.tok(p);
    if (!nameTok || p >= to) return to;
    let name: string | undefined;
    if (nameTok.kind === 'ident' || nameTok.kind === 'private' || nameTok.kind === 'number') {
      name = nameTok.value;
      p++;
    } else if (nameTok.kind === 'string') {
      name = nameTok.value.slice(1, -1);
      p++;
    } else if (this.is(p, '[')) {
      name = undefined; // computed key: not addressable by name
      p = (this.closing(p) ?? p) + 1;
    } else if (this.is(p, '{')) {
      // static initialisation block
      const close = this.closing(p) ?? p;
      this.scanStatements(p + 1, close, scope);
      return close + 1;
    } else {
      return p + 1;
    }
    if (this.is(p, '?') || this.is(p, '!')) p++;
    if (this.is(p, '(') || this.is(p, '<')) {
      const body = this.signatureToBody(p);
      if (body === undefined) return this.skipMemberTail(p, to);
      const close = this.closing(body) ?? body;
      if (name !== undefined) this.record(k, close, name, scope, className);
      this.scanStatements(body + 1, close, name === undefined ? scope : [...scope, name]);
      return close + 1;
    }
    // A field; an arrow-function or function-expression initialiser counts as a method.
    if (this.is(p, ':'))
      p = this.skipType(p + 1, (q) => this.is(q, '=') || this.is(q, ';') || !!this.tok(q)?.newlineBefore);
    if (this.is(p, '=')) {
      const value = this.functionValue(p + 1, to);
      if (value) {
        let end = value.end;
        if (this.is(end + 1, ';')) end++;
        if (name !== undefined) this.record(k, end, name, scope, className);
        if (value.body !== undefined)
          this.scanStatements(value.body + 1, value.end, name === undefined ? scope : [...scope, name]);
        return end + 1;
      }
    }
    return this.skipMemberTail(p, to);
  }

  /** Skips a field initialiser or a body-less signature up to its end. */
  private skipMemberTail(p: number, to: number): number {
    while (p < to) {
      const t = this.tok(p) as Token;
      if (t.kind === 'punct' && t.value === ';') return p + 1;
      if (t.kind === 'punct' && (t.value === '(' || t.value === '[' || t.value === '{')) {
        p = (this.closing(p) ?? p) + 1;
        const next = this.tok(p);
        if (next?.newlineBefore && !EXPRESSION_CONTINUERS.has(next.value)) return p;
        continue;
      }
      p++;
      const next = this.tok(p);
      if (next?.newlineBefore && !EXPRESSION_CONTINUERS.has(t.value) && !EXPRESSION_CONTINUERS.has(next.value))
        return p;
    }
    return p;
  }

  private record(
    k: number,
    lastToken: number,
    name: string,
    scope: readonly string[],
    className: string | undefined,
  ): void {
    const start = (this.tok(k) as Token).start;
    const end = (this.tok(lastToken) as Token).end;
    const common = {
      start,
      end,
      startLine: this.index.lineOf(start),
      endLine: this.index.lineOf(end),
      name,
      qualifiedName: [...scope, name].join('.'),
      indent: this.index.indentAt(start),
    };
    this.functions.push(
      className === undefined ? { ...common, kind: 'function' } : { ...common, kind: 'method', className },
    );
  }
}

export function scanScript(text: string): Definitions {
  return new ScriptScanner(text).run();
}
