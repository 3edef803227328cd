/**
 * The tests `afterburner hotspots` runs: every test file under a folder, found by the one test
 * discovery (testDiscovery.ts) that `profile` and the editor use, grouped by the harness that runs
 * them and the project they belong to. Discovery reads the runner's config at the project root
 * above the folder (pytest's `testpaths`, jest `testMatch`…) and lists only the folder itself.
 */
import path from 'node:path';
import type { Language } from '../core/sandboxTypes';
import type { LanguageModule } from './languageModule';
import { LANGUAGES, languageForPath, languageOf } from './registry';
import { listTestFiles, type ProjectFiles } from './testDiscovery';

export interface LanguageTests {
  readonly language: Language;
  /** Absolute paths. */
  readonly tests: readonly string[];
}

export interface ProjectTests {
  /** One group per harness and project root, in the registry's order of languages. */
  readonly groups: readonly LanguageTests[];
  /** What was looked for, per kind of test, for the message when nothing is found. */
  readonly lookedFor: readonly string[];
  /** The runner configs whose patterns were used, if any. */
  readonly runnerConfigs: readonly string[];
  /** A listing stopped at its bound: the folder is larger than discovery searches. */
  readonly truncated: boolean;
}

/** Discovery's file-listing port over a folder (the CLI walks the disk). */
export type FilesAt = (folder: string) => ProjectFiles;

/** A file some registered language runs tests of. */
export function isTestableSource(file: string): boolean {
  return languageForPath(file) !== undefined;
}

/** Languages that share test conventions (JavaScript and TypeScript) are listed once. */
function distinctConventions(): LanguageModule[] {
  const seen = new Set<unknown>();
  return LANGUAGES.filter((l) => !seen.has(l.tests) && seen.add(l.tests));
}

/** Paths listed under `dir`, named relative to `root` as discovery expects; config files read at `root`. */
function folderOfProject(filesAt: FilesAt, root: string, dir: string): ProjectFiles {
  const atRoot = filesAt(root);
  if (root === dir) return atRoot;
  const atDir = filesAt(dir);
  const prefix = path.relative(root, dir).split(path.sep).join('/') + '/';
  return {
    async list(extensions) {
      const listed = await atDir.list(extensions);
      return { paths: listed.paths.map((p) => prefix + p), truncated: listed.truncated };
    },
    read: (p) => atRoot.read(p),
  };
}

/** Every test file under `dir`, as the project's runners would collect them from its root. */
export async function findProjectTests(dir: string, filesAt: FilesAt): Promise<ProjectTests> {
  const folder = path.resolve(dir);
  const tests: string[] = [];
  const lookedFor: string[] = [];
  const runnerConfigs: string[] = [];
  let truncated = false;
  for (const language of distinctConventions()) {
    const root = language.findProjectRoot(folder) ?? folder;
    const listing = await listTestFiles(folderOfProject(filesAt, root, folder), language.id);
    tests.push(...listing.tests.map((t) => path.join(root, ...t.path.split('/'))));
    lookedFor.push(listing.lookedFor);
    if (listing.runnerConfig !== undefined) runnerConfigs.push(listing.runnerConfig);
    truncated ||= listing.truncated;
  }
  return { groups: groupTests(tests), lookedFor, runnerConfigs, truncated };
}

/**
 * The language a group runs as: its files' language, or when they differ (JavaScript tests beside
 * TypeScript ones) the one whose host-side step covers the others (TypeScript's transpile).
 */
function groupLanguage(languages: readonly Language[]): Language {
  const distinct = [...new Set(languages)];
  const covering = distinct.find((id) => languageOf(id).harness.transpile?.needed(id, []) === true);
  return distinct.length > 1 && covering !== undefined ? covering : (distinct[0] as Language);
}

/**
 * Groups test files by the harness that runs them and the project root their language finds for
 * them (one sandbox run each): two Python projects side by side each run from their own root, with
 * their own config, as their own `pytest` would.
 */
export function groupTests(tests: readonly string[]): LanguageTests[] {
  const groups = new Map<string, { languages: Language[]; tests: string[] }>();
  for (const test of tests) {
    const language = languageForPath(test);
    if (!language) continue;
    const key = `${language.harness.folder}\0${language.findProjectRoot(test) ?? ''}`;
    const group = groups.get(key) ?? { languages: [], tests: [] };
    group.languages.push(language.id);
    group.tests.push(test);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => ({ language: groupLanguage(g.languages), tests: g.tests }));
}
