/**
 * Which function the user means: the one a selection covers, else the innermost one around the
 * cursor. A language extension's document symbols name it when one answers; our own parser
 * (the language's scanner, src/languages/) always gives the exact range, so nothing depends on an extension.
 */
import * as vscode from 'vscode';
import type { LanguageSupport } from '../core/languageSupport';
import type { Language } from '../core/sandboxTypes';
import { languageForEditor, languageOf } from '../languages/registry';
import {
  enclosingFunction,
  functionAtOffset,
  listFunctions,
  locateFunction,
  type FunctionLocation,
} from '../core/functionLocator';

export interface FunctionTarget {
  readonly document: vscode.TextDocument;
  readonly language: Language;
  /** `name`, `Class.method` or `outer.inner`. */
  readonly name: string;
  readonly location: FunctionLocation;
  /** The function's text now (from `location.start` to `location.end`). */
  readonly code: string;
}

export type TargetResolution =
  | { readonly kind: 'ok'; readonly target: FunctionTarget }
  | { readonly kind: 'unsupported'; readonly languageId: string }
  | { readonly kind: 'none'; readonly line: number };

const SYMBOL_TIMEOUT_MS = 1500;

export async function resolveTarget(
  document: vscode.TextDocument,
  selection: vscode.Selection,
): Promise<TargetResolution> {
  const language = languageForEditor(document.languageId);
  if (!language) return { kind: 'unsupported', languageId: document.languageId };
  const text = document.getText();
  const fromSymbols = await nameFromSymbols(document, selection);
  const found =
    (fromSymbols === undefined ? undefined : locateFunction(language, text, fromSymbols)) ??
    locationFromParser(language, text, document, selection);
  if (!found) return { kind: 'none', line: selection.active.line };
  // A helper declared inside a function is reached only through it: that function is the target.
  const location = enclosingFunction(language, text, found) ?? found;
  return {
    kind: 'ok',
    target: {
      document,
      language: language.id,
      name: location.qualifiedName,
      location,
      code: text.slice(location.start, location.end),
    },
  };
}

/** Finds `name` in the document as it is now (Accept, diff). */
export function locateNow(
  document: vscode.TextDocument,
  language: Language,
  name: string,
): FunctionLocation | undefined {
  return locateFunction(languageOf(language), document.getText(), name);
}

function locationFromParser(
  language: LanguageSupport,
  text: string,
  document: vscode.TextDocument,
  selection: vscode.Selection,
): FunctionLocation | undefined {
  if (!selection.isEmpty) {
    const from = document.offsetAt(selection.start);
    const to = document.offsetAt(selection.end);
    // The outermost function inside the selection, so selecting a whole method picks the method.
    const covered = listFunctions(language, text)
      .filter((f) => f.start >= from - indentSlack(document, selection) && f.end <= to)
      .sort((a, b) => b.end - b.start - (a.end - a.start))[0];
    if (covered) return covered;
  }
  const atCursor = functionAtOffset(language, text, document.offsetAt(selection.active));
  if (atCursor) return atCursor;
  // A right-click in a definition line's indentation still means that definition.
  const line = document.lineAt(selection.active.line);
  return functionAtOffset(language, text, document.offsetAt(line.range.start) + line.firstNonWhitespaceCharacterIndex);
}

/** A selection starting at column 0 of an indented method still covers the method. */
function indentSlack(document: vscode.TextDocument, selection: vscode.Selection): number {
  const line = document.lineAt(selection.start.line);
  return line.firstNonWhitespaceCharacterIndex - selection.start.character > 0
    ? line.firstNonWhitespaceCharacterIndex - selection.start.character
    : 0;
}

const FUNCTION_KINDS = new Set([vscode.SymbolKind.Function, vscode.SymbolKind.Method, vscode.SymbolKind.Constructor]);
const CONTAINER_KINDS = new Set([vscode.SymbolKind.Class, vscode.SymbolKind.Function, vscode.SymbolKind.Method]);

/** The qualified name of the function the language extension places at the selection, if one answers in time. */
async function nameFromSymbols(
  document: vscode.TextDocument,
  selection: vscode.Selection,
): Promise<string | undefined> {
  let symbols: unknown;
  try {
    symbols = await Promise.race([
      vscode.commands.executeCommand<unknown>('vscode.executeDocumentSymbolProvider', document.uri),
      new Promise((resolve) => setTimeout(() => resolve(undefined), SYMBOL_TIMEOUT_MS)),
    ]);
  } catch {
    return undefined;
  }
  // The command answers DocumentSymbol-shaped objects (with children), or flat SymbolInformation we cannot nest.
  if (!Array.isArray(symbols) || symbols.length === 0 || !isDocumentSymbol(symbols[0])) return undefined;
  const path = findPath(symbols as vscode.DocumentSymbol[], selection, []);
  if (!path) return undefined;
  return path.map((s) => s.name.replace(/\(.*$/, '')).join('.');
}

function isDocumentSymbol(value: unknown): value is vscode.DocumentSymbol {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as vscode.DocumentSymbol).children) &&
    (value as vscode.DocumentSymbol).range instanceof vscode.Range
  );
}

/** The chain of containers down to the innermost function holding (or covered by) the selection. */
function findPath(
  symbols: readonly vscode.DocumentSymbol[],
  selection: vscode.Selection,
  parents: vscode.DocumentSymbol[],
): vscode.DocumentSymbol[] | undefined {
  for (const symbol of symbols) {
    const isFunction = FUNCTION_KINDS.has(symbol.kind);
    if (!selection.isEmpty && isFunction && selection.contains(symbol.range)) return [...parents, symbol];
    if (!symbol.range.contains(selection)) continue;
    const chain = CONTAINER_KINDS.has(symbol.kind) ? [...parents, symbol] : parents;
    const inner = findPath(symbol.children, selection, chain);
    if (inner) return inner;
    if (isFunction) return chain;
  }
  return undefined;
}
