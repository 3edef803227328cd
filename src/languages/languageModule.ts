/**
 * A language as the host sees it: the core's `LanguageSupport` plus what the editor, the CLI and
 * the sandbox backends need to know (editor language ids, test conventions, the files a job takes
 * along, the harness and how to start it). Each folder of src/languages exports one or more of
 * these; registry.ts lists them.
 */
import type { LanguageSupport } from '../core/languageSupport';
import type { Language, SourceFile } from '../core/sandboxTypes';

export interface LanguageModule extends LanguageSupport {
  /** The root the language's own runner would use for a file (pyproject.toml, package.json…), if any. */
  findProjectRoot(file: string): string | undefined;
  /** Other names a problem file or a user may give it ('python3', 'js'). */
  readonly aliases: readonly string[];
  /** VS Code's language ids of its documents ('typescriptreact'). */
  readonly vscodeLanguageIds: readonly string[];
  readonly tests: TestConventions;
  /** Files that mark a project root of this language (discovery does not climb past one). */
  readonly projectMarkers: readonly string[];
  /** Which nearby files a job takes along so the module and tests import what they import. */
  readonly jobFiles: JobFileConventions;
  readonly harness: HarnessSpec;
}

/** How people name and place the tests of a module in this language, and how their runners say so. */
export interface TestConventions {
  /** File endings discovery lists: candidate tests and the files they import (index files, packages). */
  readonly sourceExtensions: readonly string[];
  /** Root-relative files that may hold the runner's own test patterns (missing ones are skipped). */
  readonly configFiles: readonly string[];
  /** The runner's own test patterns, read from those config files that exist (root-relative name → text). */
  runnerPatterns(configs: ReadonlyMap<string, string>): RunnerTestPatterns;
  /** Whether a root-relative path is a test file (by convention or the runner's patterns), and why. */
  judge(path: string, patterns: RunnerTestPatterns): TestFileJudgement | undefined;
  /** Whether the test file at `path` is named after the module of stem `module` (`quick_sort.test.ts`). */
  namedAfter(path: string, module: string): boolean;
  /** Root-relative paths, among the project's files, of what the file at `path` imports. */
  imports(path: string, text: string, project: ProjectIndex): string[];
  /** "test_<module>.py, …", for the message when nothing is found. */
  readonly description: string;
  /** Where a new test of the module at root-relative `modulePath` would go by convention (`tests/test_grid.py`). */
  exampleTestPath(modulePath: string): string;
  /** The open dialog's filters when the user picks test files. */
  readonly dialogFilters: Readonly<Record<string, string[]>>;
}

/** Test patterns read from the runner's config, project-relative. */
export interface RunnerTestPatterns {
  /** Globs a test file matches (jest `testMatch`, vitest `include`, mocha `spec`). */
  readonly globs: readonly string[];
  /** Regular expressions tried on `/` + the path (jest `testRegex`). */
  readonly regexes: readonly RegExp[];
  /** Folders the runner's patterns apply under (jest `roots`, pytest `testpaths`); empty = anywhere. */
  readonly roots: readonly string[];
  /** Which config said so ("jest testMatch in package.json"), for the reason shown to the user. */
  readonly source?: string;
  /** The project's package name, so a test importing the package by name counts as importing it. */
  readonly packageName?: string;
}

/** What import resolution may ask of the project. */
export interface ProjectIndex {
  has(path: string): boolean;
  readonly packageName?: string;
}

export interface TestFileJudgement {
  readonly reason: string;
}

export interface JobFileConventions {
  /** Sibling files with these endings go along (imports of the module and tests). */
  readonly siblingExtensions: readonly string[];
  /** Files in every folder up to the root that change how code is imported (`__init__.py`, `package.json`). */
  readonly packageMarkers: readonly string[];
}

/** The process that runs the harness: what sandbox/<folder>/README.md documents. */
export interface HarnessCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export interface HarnessCommandOptions {
  /** The harness folder as the sandboxed process sees it (the repo's `sandbox/`). */
  readonly harnessDir: string;
  /** The job file as the sandboxed process sees it; relative to the cwd or absolute. */
  readonly jobFile?: string;
  readonly python?: string;
  readonly node?: string;
  readonly memoryMb: number;
}

/** The runtime a local run must find on the host. */
export type HarnessRuntime = 'cpython' | 'node';

export interface HarnessSpec {
  /** sandbox/<folder>/ holds the harness; sandbox/<folder>.Dockerfile builds its image. */
  readonly folder: string;
  /** The harness entry, relative to sandbox/. */
  readonly script: string;
  readonly runtime: HarnessRuntime;
  command(options: HarnessCommandOptions): HarnessCommand;
  /** An address-space rlimit can bound the run (V8 does not start under a small one; its heap is bounded instead). */
  readonly addressSpaceLimit: boolean;
  /**
   * The run sees the user's workspace read-only, because the project's own test runner (jest,
   * vitest) lives in its node_modules. Otherwise a run gets nothing of the user's beyond its files.
   */
  readonly usesWorkspace: boolean;
  /**
   * The harness runs the project in place (mounted read-only at its own path) and serves the
   * job's files as overlays of the project's; otherwise the job's files are copied into the work dir.
   */
  readonly runsInPlace: boolean;
  /** A host-side step before the files enter the sandbox (TypeScript → JavaScript). */
  readonly transpile?: SourceTranspiler;
}

export interface TranspileInput {
  readonly files: readonly SourceFile[];
  readonly modulePath: string;
  readonly testPaths: readonly string[];
}

export type TranspileOutcome =
  | {
      readonly kind: 'ok';
      /** The job's files with every transpiled file replaced by its emitted code. */
      readonly files: readonly SourceFile[];
      readonly modulePath: string;
      readonly testPaths: readonly string[];
    }
  | { readonly kind: 'error'; readonly message: string };

export interface SourceTranspiler {
  /** Whether a job of `language` with these module and test paths needs the step. */
  needed(language: Language, paths: readonly string[]): boolean;
  run(input: TranspileInput): TranspileOutcome;
}
