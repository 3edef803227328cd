/** A canonical form of code for spotting a candidate the loop already tried (the language's own rules). */
import type { LanguageSupport } from './languageSupport';

export function normalizeCode(language: LanguageSupport, code: string): string {
  return language.normalize(code);
}
