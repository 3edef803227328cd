/**
 * JavaScript and TypeScript as the host sees them: one Node harness, one set of test conventions;
 * TypeScript (and JavaScript tests of a TypeScript module) is transpiled on the host first.
 */
import path from 'node:path';
import type { LanguageSupport } from '../../core/languageSupport';
import type { HarnessSpec, LanguageModule } from '../languageModule';
import { javascriptSupport, typescriptSupport } from './scriptSupport';
import { scriptTests } from './scriptTests';
import { isTypeScriptPath, transpileTypeScript } from './typescriptTranspile';
import { jestCompilesTypeScript } from './jestTypeScript';
import { findNodeProjectRoot } from './projectRoot';

const NODE_HARNESS: HarnessSpec = {
  folder: 'node',
  script: 'node/harness.mjs',
  runtime: 'node',
  command(options) {
    // V8 does not start under a small address-space rlimit; its heap is bounded here instead, a
    // little under the run's limit so a heap exhaustion is reported rather than OOM-killed.
    const heapMb = Math.max(32, Math.floor(options.memoryMb * 0.75));
    return {
      command: options.node ?? 'node',
      args: [
        `--max-old-space-size=${heapMb}`,
        path.posix.join(options.harnessDir, 'node', 'harness.mjs'),
        options.jobFile ?? 'job.json',
      ],
    };
  },
  addressSpaceLimit: false,
  usesWorkspace: true,
  // Overlays through the runners' module systems are not served yet: the files are copied.
  runsInPlace: false,
  transpile: {
    needed: (language, paths) => language === typescriptSupport.id || paths.some(isTypeScriptPath),
    // A project whose jest compiles TypeScript runs its .ts tests through it, with its config.
    run: (input) =>
      transpileTypeScript({
        ...input,
        keepSources: jestCompilesTypeScript(input.files, [input.modulePath, ...input.testPaths]),
      }),
  },
};

function nodeModule(support: LanguageSupport, aliases: readonly string[], vscodeLanguageIds: readonly string[]) {
  return {
    ...support,
    aliases,
    vscodeLanguageIds,
    tests: scriptTests,
    projectMarkers: ['package.json'],
    findProjectRoot: (file) => findNodeProjectRoot(file)?.root,
    // package.json's "type" decides how .js files load.
    jobFiles: {
      siblingExtensions: ['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx', '.json'],
      packageMarkers: ['package.json'],
    },
    harness: NODE_HARNESS,
  } satisfies LanguageModule;
}

export const javascriptModule: LanguageModule = nodeModule(
  javascriptSupport,
  ['js'],
  ['javascript', 'javascriptreact'],
);
export const typescriptModule: LanguageModule = nodeModule(
  typescriptSupport,
  ['ts'],
  ['typescript', 'typescriptreact'],
);
