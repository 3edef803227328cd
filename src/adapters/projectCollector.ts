/**
 * The job input for a run on the user's project in place, for the CLI and the extension alike:
 * the project root to mount read-only (see src/languages/<language>/projectRoot.ts), the module
 * and test paths relative to it, and the overlays (the module and its tests as the editor has them). Nothing is copied and nothing is left out: the whole project is
 * visible in the sandbox.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Language, ProjectMount, SourceFile } from '../core/sandboxTypes';
import { findVcsRoot } from '../languages/vcsRoot';
import { harnessOf, languageOf } from '../languages/registry';

export interface ProjectJobInput {
  readonly project: ProjectMount;
  /** Overlays: project-relative paths with the text this run uses instead of the file on disk. */
  readonly files: readonly SourceFile[];
  readonly modulePath: string;
  readonly testPaths: readonly string[];
  /** For JavaScript/TypeScript: the folder whose node_modules hold the project's test runner. */
  readonly workspaceRoot?: string;
}

export interface CollectOptions {
  /** The text of a file as the editor has it (unsaved edits), or undefined to read the disk. */
  readonly editorText?: (absolutePath: string) => string | undefined;
}

export type CollectOutcome =
  { readonly kind: 'ok'; readonly input: ProjectJobInput } | { readonly kind: 'error'; readonly message: string };

function toPosix(relative: string): string {
  return relative.split(path.sep).join('/');
}

function inside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function commonAncestor(paths: readonly string[]): string {
  let common = path.dirname(paths[0] ?? '/');
  for (const p of paths) while (!inside(common, p)) common = path.dirname(common);
  return common;
}

/** The root the language's own runner would use; widened when a test lies outside it. */
export function projectRootFor(language: Language, module: string, tests: readonly string[]): string {
  const found = languageOf(language).findProjectRoot(module);
  const all = [module, ...tests];
  if (found !== undefined && all.every((f) => inside(found, f))) return found;
  const vcs = findVcsRoot(path.dirname(module));
  if (vcs !== undefined && all.every((f) => inside(vcs, f))) return vcs;
  return commonAncestor(all);
}

export function collectProjectJob(
  language: Language,
  file: string,
  tests: readonly string[],
  options: CollectOptions = {},
): CollectOutcome {
  const module = path.resolve(file);
  const testFiles = tests.map((t) => path.resolve(t));
  const root = projectRootFor(language, module, testFiles);
  if (root === path.parse(root).root)
    return {
      kind: 'error',
      message: `${file} and its tests share no project folder below '${root}': put them in one project (with pyproject.toml, package.json or a git checkout).`,
    };
  const read = (absolute: string): string => options.editorText?.(absolute) ?? readFileSync(absolute, 'utf8');
  const relative = (absolute: string): string => toPosix(path.relative(root, absolute));
  const files: SourceFile[] = [{ path: relative(module), content: read(module) }];
  // The tests ride along as overlays too (their text as the editor has it): the model's prompt
  // shows them, and an unsaved edit to a test counts like one to the module.
  for (const test of testFiles) if (test !== module) files.push({ path: relative(test), content: read(test) });
  const workspaceRoot = harnessOf(language).usesWorkspace
    ? (languageOf(language).findProjectRoot(module) ?? root)
    : undefined;
  return {
    kind: 'ok',
    input: {
      project: { root },
      files,
      modulePath: relative(module),
      testPaths: testFiles.map(relative),
      ...(workspaceRoot !== undefined ? { workspaceRoot } : {}),
    },
  };
}
