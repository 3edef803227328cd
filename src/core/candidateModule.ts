/**
 * Builds the module a candidate is checked in: the user's module with only the target function
 * replaced, plus the imports and helpers the candidate brought that the module lacks.
 */
import type { LanguageSupport } from './languageSupport';
import type { Addition, ExtractedCandidate } from './extractCode';
import { listClasses, listFunctions, locateFunction } from './functionLocator';
import { insertAboveLine, spliceFunction } from './spliceFunction';

export type CandidateModule =
  | { readonly kind: 'ok'; readonly moduleText: string; readonly added: readonly Addition[] }
  | { readonly kind: 'error'; readonly reason: string };

export function buildCandidateModule(
  language: LanguageSupport,
  moduleText: string,
  target: string,
  candidate: ExtractedCandidate,
): CandidateModule {
  const location = locateFunction(language, moduleText, target);
  if (!location) return { kind: 'error', reason: `the module no longer has a function named ${target}` };
  const missing = candidate.additions.filter((a) => isMissing(language, moduleText, a));
  const spliced = spliceFunction(moduleText, location, candidate.code);
  if (missing.length === 0) return { kind: 'ok', moduleText: spliced, added: [] };
  // Above the top-level statement that holds the target (the function itself or its class).
  const topLevel =
    location.className !== undefined
      ? listClasses(language, spliced).find(
          (c) => c.start <= location.start && c.end >= location.start && !c.qualifiedName.includes('.'),
        )
      : undefined;
  const anchor = aboveLeadingComments(language, spliced, topLevel?.start ?? location.start);
  return {
    kind: 'ok',
    moduleText: insertAboveLine(
      spliced,
      anchor,
      missing.map((a) => a.code),
    ),
    added: missing,
  };
}

/** Moves `offset` to the start of the comment lines right above it, which belong to the definition. */
function aboveLeadingComments(language: LanguageSupport, text: string, offset: number): number {
  let lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const comment = language.syntax.commentLine;
  while (lineStart > 0) {
    const previousStart = text.lastIndexOf('\n', lineStart - 2) + 1;
    if (!comment.test(text.slice(previousStart, lineStart - 1))) break;
    lineStart = previousStart;
  }
  return lineStart;
}

function isMissing(language: LanguageSupport, moduleText: string, addition: Addition): boolean {
  switch (addition.kind) {
    case 'import': {
      const normalized = squash(addition.code);
      return (
        !moduleText.split('\n').some((line) => squash(line) === normalized) && !squash(moduleText).includes(normalized)
      );
    }
    case 'definition': {
      const name = addition.name ?? '';
      const topLevel = [...listFunctions(language, moduleText), ...listClasses(language, moduleText)].some(
        (d) => d.qualifiedName === name,
      );
      return !topLevel && !assignsAtTopLevel(moduleText, name);
    }
    case 'assignment':
      return (
        !assignsAtTopLevel(moduleText, addition.name ?? '') &&
        !listFunctions(language, moduleText).some((f) => f.qualifiedName === addition.name)
      );
  }
}

function assignsAtTopLevel(moduleText: string, name: string): boolean {
  const escaped = name.replace(/[$]/g, '\\$');
  return new RegExp(`^(?:export\\s+)?(?:(?:const|let|var)\\s+)?${escaped}\\s*(?::[^=\\n]*)?=(?!=)`, 'm').test(
    moduleText,
  );
}

function squash(code: string): string {
  return code.replace(/\s+/g, ' ').replace(/;\s*$/, '').trim();
}
