/**
 * Definitions in source text, found by the language's own scanner (`LanguageSupport.scan`, in
 * src/languages/): the extension uses them to find the function under the cursor; the loop uses
 * them to splice a candidate into the module.
 *
 * Offsets are UTF-16 indices into `text` (what JavaScript strings and VS Code use). Lines are
 * 0-based, like `vscode.Position`. `start` is the first character of the definition (the first
 * decorator, or `export`/`async`/`static`… when present), so the text between the line start and
 * `start` is `indent`; `end` is just past the definition's last character (no trailing newline).
 */
import type { LanguageSupport } from './languageSupport';

export interface FunctionLocation {
  readonly start: number;
  readonly end: number;
  readonly startLine: number;
  readonly endLine: number;
  readonly name: string;
  /** `name`, `Class.method`, or `outer.inner` for nested definitions. */
  readonly qualifiedName: string;
  /** The whitespace before `start` on its line. */
  readonly indent: string;
  readonly kind: 'function' | 'method';
  /** The class a method belongs to. */
  readonly className?: string;
}

export interface ClassLocation {
  readonly start: number;
  readonly end: number;
  readonly startLine: number;
  readonly endLine: number;
  readonly name: string;
  readonly qualifiedName: string;
  readonly indent: string;
  /** Offset just past the class header (`class A(B):` or `class A extends B {`). */
  readonly headerEnd: number;
}

export interface Definitions {
  readonly functions: FunctionLocation[];
  readonly classes: ClassLocation[];
}

export function listFunctions(language: LanguageSupport, text: string): FunctionLocation[] {
  return language.scan(text).functions;
}

export function listClasses(language: LanguageSupport, text: string): ClassLocation[] {
  return language.scan(text).classes;
}

/** `target` is `name`, `Class.method` or `outer.inner`; matched against the qualified name. */
export function locateFunction(language: LanguageSupport, text: string, target: string): FunctionLocation | undefined {
  return language.scan(text).functions.find((f) => f.qualifiedName === target);
}

/**
 * The function `location` is defined inside, when it is one (a helper declared in a function
 * body): the tests cannot call it by itself, only through the function around it. Methods of a
 * class are not nested unless the class itself is.
 */
export function enclosingFunction(
  language: LanguageSupport,
  text: string,
  location: FunctionLocation,
): FunctionLocation | undefined {
  return functionsHolding(language, text, location.start, location.end).find((f) => encloses(f, location));
}

/** `outer`'s range holds `inner`'s and is larger: a function never encloses itself. */
function encloses(outer: FunctionLocation, inner: FunctionLocation): boolean {
  return outer.start <= inner.start && inner.end <= outer.end && outer.end - outer.start > inner.end - inner.start;
}

/** The functions a test can call: all but those defined inside another function; one scan. */
export function callableFunctions(language: LanguageSupport, text: string): FunctionLocation[] {
  const all = language.scan(text).functions;
  return all.filter((f) => !all.some((g) => encloses(g, f)));
}

export function locateClass(language: LanguageSupport, text: string, name: string): ClassLocation | undefined {
  return language.scan(text).classes.find((c) => c.qualifiedName === name);
}

/** The innermost function whose range holds `offset` (ends inclusive). */
export function functionAtOffset(
  language: LanguageSupport,
  text: string,
  offset: number,
): FunctionLocation | undefined {
  const holding = functionsHolding(language, text, offset, offset);
  return holding[holding.length - 1];
}

/** The functions whose range holds [from, to] (ends inclusive), outermost first. */
function functionsHolding(language: LanguageSupport, text: string, from: number, to: number): FunctionLocation[] {
  return language
    .scan(text)
    .functions.filter((f) => f.start <= from && to <= f.end)
    .sort((a, b) => b.end - b.start - (a.end - a.start));
}
