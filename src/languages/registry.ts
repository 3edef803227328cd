/**
 * The languages Afterburner supports, and the one place the rest of the code asks about them: by
 * id (jobs, results, eval problems), by file path (the CLI), by VS Code language id (the editor).
 * Adding a language is adding its folder and one line to LANGUAGES.
 */
import type { Language } from '../core/sandboxTypes';
import type { HarnessSpec, LanguageModule } from './languageModule';
import { javascriptModule, typescriptModule } from './node/nodeModules';
import { pythonModule } from './python/pythonModule';

export const LANGUAGES: readonly LanguageModule[] = [pythonModule, javascriptModule, typescriptModule];

/** The language of `id`, or undefined when none is registered under it. */
export function findLanguage(id: string): LanguageModule | undefined {
  return LANGUAGES.find((l) => l.id === id);
}

/**
 * The language of an id that was validated where it entered (a job, a result, a parsed problem).
 * An unknown id here is a programming error, not bad input.
 */
export function languageOf(id: Language): LanguageModule {
  const found = findLanguage(id);
  if (!found) throw new Error(`No language support registered for '${id}'.`);
  return found;
}

/** By id or alias ('python3', 'js'): what problem files write. */
export function languageByName(name: string): LanguageModule | undefined {
  return LANGUAGES.find((l) => l.id === name || l.aliases.includes(name));
}

/** By the file's ending ('.py', '.tsx'), case-insensitive. */
export function languageForPath(path: string): LanguageModule | undefined {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  // Like path.extname: a dot file ('.py') has no ending.
  if (dot <= 0) return undefined;
  const ending = base.slice(dot);
  return LANGUAGES.find((l) => l.extensions.includes(ending));
}

/** By VS Code's language id of a document ('python', 'typescriptreact'). */
export function languageForEditor(vscodeLanguageId: string): LanguageModule | undefined {
  return LANGUAGES.find((l) => l.vscodeLanguageIds.includes(vscodeLanguageId));
}

/** Every file ending the registered languages claim, for messages ("profiles .py, .js, … files"). */
export function supportedExtensions(): string[] {
  return LANGUAGES.flatMap((l) => l.extensions);
}

/** Every VS Code language id the registered languages claim (code lenses, menus). */
export function supportedEditorLanguages(): string[] {
  return LANGUAGES.flatMap((l) => l.vscodeLanguageIds);
}

/** How the sandbox runs a job of `id`: its harness, command line and needs (validated id, see languageOf). */
export function harnessOf(id: Language): HarnessSpec {
  return languageOf(id).harness;
}

/** "python, javascript or typescript": the ids for a message that lists them. */
export function languageIdsInWords(): string {
  const ids = LANGUAGES.map((l) => l.id);
  return ids.length <= 1 ? ids.join('') : `${ids.slice(0, -1).join(', ')} or ${ids[ids.length - 1] as string}`;
}
