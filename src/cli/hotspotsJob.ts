/**
 * The sandbox job of a hotspots run, for the CLI and the extension: one language's tests of the
 * project, run whole under the harness's profiler, sent the way `profile` sends a run of that
 * language (sandboxJobInput.ts). Python runs on the project in place from its root (its conftest,
 * pytest config and sys.path as `pytest` there has them), the editor's unsaved files as overlays;
 * JavaScript/TypeScript files are copied from the project root the language finds (its runner
 * config included).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Limits, SandboxJob, SourceFile } from '../core/sandboxTypes';
import type { LanguageTests } from '../languages/projectTests';
import { harnessOf, languageForPath } from '../languages/registry';
import { sandboxJobInput } from './sandboxJobInput';

/** The editor's text of files with unsaved edits, by absolute path (the CLI has none). */
export type UnsavedFiles = ReadonlyMap<string, string>;

export interface HotspotsRun {
  readonly job: SandboxJob;
  /** The host folder the harness's file paths are relative to: the project root. */
  readonly root: string;
  /** The test files run, absolute. */
  readonly tests: readonly string[];
  /** The editor's text the run used in place of the disk's. */
  readonly unsaved: UnsavedFiles;
  /** Files a copy left out (past the size caps), to be said. */
  readonly omitted: number;
}

export type HotspotsJobOutcome =
  { readonly kind: 'ok'; readonly run: HotspotsRun } | { readonly kind: 'error'; readonly message: string };

const toPosix = (p: string): string => p.split(path.sep).join('/');

function inside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The unsaved files under `root` that the group's harness runs, as project-relative overlays. */
function overlaysOf(unsaved: UnsavedFiles, root: string, harness: string): SourceFile[] {
  return [...unsaved]
    .filter(([file]) => inside(root, file) && languageForPath(file)?.harness.folder === harness)
    .map(([file, content]) => ({ path: toPosix(path.relative(root, file)), content }));
}

/** The job that profiles one language's tests of the project. */
export function hotspotsJob(
  group: LanguageTests,
  limits: Limits,
  unsaved: UnsavedFiles = new Map(),
): HotspotsJobOutcome {
  const [first] = group.tests;
  if (first === undefined) throw new Error('hotspotsJob needs at least one test file');
  const harness = harnessOf(group.language);
  const input = sandboxJobInput(group.language, first, group.tests);
  if (input.kind === 'error') return input;
  const root = input.project?.root ?? input.root;
  // In place, the tests are read from the project as they are on disk: only what the editor holds
  // unsaved is an overlay. A copy takes the editor's text where it has some.
  const files = input.project
    ? overlaysOf(unsaved, root, harness.folder)
    : input.files.map((f) => ({
        path: f.path,
        content: unsaved.get(path.join(root, ...f.path.split('/'))) ?? f.content,
      }));
  return {
    kind: 'ok',
    run: {
      root,
      tests: group.tests,
      unsaved,
      omitted: input.omitted,
      job: {
        language: group.language,
        files,
        // The harness loads no target in this mode; the field names a file of the job as the port requires.
        modulePath: input.testPaths[0] ?? input.modulePath,
        testPaths: input.testPaths,
        target: '',
        mode: { kind: 'hotspots' },
        limits,
        ...(input.workspaceRoot ? { workspaceRoot: input.workspaceRoot } : {}),
        ...(input.project ? { project: input.project } : {}),
      },
    },
  };
}

/** What ranking a run's profile needs: its files are relative to the run's root, shown relative to `dir`. */
export interface RankingContext {
  /** The tests run, root-relative: not the project's code to optimize. */
  readonly testFiles: readonly string[];
  readonly sourceOf: (file: string) => string | undefined;
  /** A root-relative path as the user reads it: relative to the folder they asked about. */
  readonly shownAs: (file: string) => string;
  /** The project root as the user reads it; empty when it is the folder they asked about. */
  readonly project: string;
}

export function rankingContext(run: HotspotsRun, dir: string): RankingContext {
  return {
    testFiles: run.tests.map((t) => toPosix(path.relative(run.root, t))),
    sourceOf: (file) => {
      const absolute = path.join(run.root, ...file.split('/'));
      try {
        return run.unsaved.get(absolute) ?? readFileSync(absolute, 'utf8');
      } catch {
        return undefined;
      }
    },
    shownAs: (file) => toPosix(path.relative(dir, path.join(run.root, ...file.split('/')))),
    project: toPosix(path.relative(dir, run.root)),
  };
}
