/**
 * Test discovery, one implementation for the CLI and the extension: lists the project's files
 * through a port (the CLI walks the disk, the extension asks vscode.workspace.findFiles), keeps the
 * test files by the language's conventions and the runner config's own patterns, reads them, and
 * ranks them (testFileRanking.ts): files that import the module (directly or through a package
 * `__init__.py` / an index file that re-exports it) first, then those that mention the function,
 * then by how close they sit to the module. `afterburner hotspots` takes the same listing unranked
 * (every test file of the project).
 */
import type { Language } from '../core/sandboxTypes';
import type { ProjectIndex, RunnerTestPatterns, TestConventions } from './languageModule';
import { languageOf } from './registry';
import { rankTestFiles, type ImportKind, type JudgedTestFile, type RankedTestFile } from './testFileRanking';

/** The project's files as discovery sees them; paths are project-root-relative with `/` separators. */
export interface ProjectFiles {
  /**
   * Every file ending in one of `extensions` (without dots), dependencies, virtual environments,
   * VCS folders and build output left out. May stop at a bound; `truncated` says so.
   */
  list(extensions: readonly string[]): Promise<{ readonly paths: readonly string[]; readonly truncated: boolean }>;
  /** The file's text, or undefined when it is missing, unreadable or too large to be a test. */
  read(path: string): Promise<string | undefined>;
}

export interface DiscoveryRequest {
  readonly language: Language;
  /** The module holding the function, root-relative. */
  readonly modulePath: string;
  /** `name` or `Class.method`. */
  readonly functionName: string;
}

export interface TestDiscovery {
  /** Best first; only files that import the module, mention the function, or are named after the module. */
  readonly ranked: readonly RankedTestFile[];
  /** How many test files were looked at. */
  readonly testFiles: number;
  /** The runner configs whose patterns were used ("jest config in package.json"), if any. */
  readonly runnerConfig?: string;
  /** The listing stopped at its bound: the project is larger than discovery searched. */
  readonly truncated: boolean;
  /** What was looked for, for the message when nothing is found. */
  readonly lookedFor: string;
  /** Where a new test of the module would go by convention. */
  readonly exampleTestPath: string;
}

/**
 * How many levels of re-export count as importing the module: networkx's tests reach
 * algorithms/shortest_paths/unweighted.py through four `__init__.py` files.
 */
const REEXPORT_DEPTH = 4;

/** The project's test files of one language, found as its runners would find them, unranked. */
export interface TestListing {
  /** Root-relative paths with why each counts as a test, in listing order. */
  readonly tests: readonly { readonly path: string; readonly reason: string }[];
  /** The runner configs whose patterns were used ("jest config in package.json"), if any. */
  readonly runnerConfig?: string;
  /** The listing stopped at its bound: the project is larger than discovery searched. */
  readonly truncated: boolean;
  /** What was looked for, for the message when nothing is found. */
  readonly lookedFor: string;
}

interface Listed extends TestListing {
  readonly conventions: TestConventions;
  readonly project: ProjectIndex;
}

async function listWithConventions(files: ProjectFiles, language: Language): Promise<Listed> {
  const conventions = languageOf(language).tests;
  const configs = new Map<string, string>();
  await Promise.all(
    conventions.configFiles.map(async (name) => {
      const text = await files.read(name);
      if (text !== undefined) configs.set(name, text);
    }),
  );
  const patterns: RunnerTestPatterns = conventions.runnerPatterns(configs);
  const listing = await files.list(conventions.sourceExtensions);
  const all = new Set(listing.paths);
  const project: ProjectIndex = {
    has: (path) => all.has(path),
    ...(patterns.packageName ? { packageName: patterns.packageName } : {}),
  };
  const tests = listing.paths.flatMap((path) => {
    const judged = conventions.judge(path, patterns);
    return judged ? [{ path, reason: judged.reason }] : [];
  });
  return {
    tests,
    ...(patterns.source ? { runnerConfig: patterns.source } : {}),
    truncated: listing.truncated,
    lookedFor: conventions.description,
    conventions,
    project,
  };
}

/** Every test file of `language` in the project (what its runner would collect from the root). */
export async function listTestFiles(files: ProjectFiles, language: Language): Promise<TestListing> {
  const { tests, runnerConfig, truncated, lookedFor } = await listWithConventions(files, language);
  return { tests, ...(runnerConfig !== undefined ? { runnerConfig } : {}), truncated, lookedFor };
}

export async function discoverTests(files: ProjectFiles, request: DiscoveryRequest): Promise<TestDiscovery> {
  const listed = await listWithConventions(files, request.language);
  const { conventions, project } = listed;
  const tests = listed.tests.filter((test) => test.path !== request.modulePath);

  const texts = new Map<string, Promise<string | undefined>>();
  const read = (path: string): Promise<string | undefined> => {
    let text = texts.get(path);
    if (!text) texts.set(path, (text = files.read(path)));
    return text;
  };
  const importsCache = new Map<string, Promise<readonly string[]>>();
  const importsOf = (path: string): Promise<readonly string[]> => {
    let found = importsCache.get(path);
    if (!found) {
      found = read(path).then((text) => (text === undefined ? [] : conventions.imports(path, text, project)));
      importsCache.set(path, found);
    }
    return found;
  };
  // Memoised by file and depth: a package's __init__ files are shared by every test that imports it.
  const reachMemo = new Map<string, Promise<boolean>>();
  const reaches = (path: string, depth: number): Promise<boolean> => {
    if (depth === 0) return Promise.resolve(false);
    const key = `${depth}:${path}`;
    let known = reachMemo.get(key);
    if (!known) {
      known = importsOf(path).then(async (imported) => {
        if (imported.includes(request.modulePath)) return true;
        for (const next of imported) if (await reaches(next, depth - 1)) return true;
        return false;
      });
      reachMemo.set(key, known);
    }
    return known;
  };
  const importKind = async (path: string): Promise<ImportKind | undefined> => {
    const imported = await importsOf(path);
    if (imported.includes(request.modulePath)) return 'direct';
    for (const next of imported) {
      if (await reaches(next, REEXPORT_DEPTH)) return { via: next };
    }
    return undefined;
  };

  const judged: JudgedTestFile[] = await Promise.all(
    tests.map(async (test) => {
      const text = await read(test.path);
      return {
        path: test.path,
        reason: test.reason,
        ...(text === undefined ? {} : { text }),
        imports: text === undefined ? undefined : await importKind(test.path),
        namedAfterModule: conventions.namedAfter(test.path, moduleStem(request.modulePath)),
      };
    }),
  );
  return {
    ranked: rankTestFiles(request.modulePath, request.functionName, judged),
    testFiles: tests.length,
    ...(listed.runnerConfig ? { runnerConfig: listed.runnerConfig } : {}),
    truncated: listed.truncated,
    lookedFor: listed.lookedFor,
    exampleTestPath: conventions.exampleTestPath(request.modulePath),
  };
}

function moduleStem(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
