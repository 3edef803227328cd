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

/**
 * V8's young generation, pinned: memory is read as the heap in use above a call's start, so a call
 * that allocates more than a semi-space holds is read up to the scavenge that frees its garbage.
 * Left to V8, the semi-space starts at 1 MB and grows with the heap's history, differently per
 * node version: the same function read 0.8 MB peak under Docker's node 18 and 15 MB under a local
 * node 20, and 5 MB or 15 MB from one run to the next. 16 MB is V8's own ceiling on 64-bit; the
 * young generation holds three semi-spaces' worth, so a small memory limit gets smaller ones.
 */
function semiSpaceMb(memoryMb: number): number {
  return Math.max(1, Math.min(16, Math.floor(memoryMb / 32)));
}

/**
 * V8's collector on the measuring thread alone. Left to its helper threads, the gc() before each
 * sample (and the sweeping it leaves) ran on four threads at 20–30 % of a core each beside the
 * timed one: on 2 cores the timed thread waited for a CPU 6 % of its time, and ten separate
 * profiles of a 3 µs function read 10th percentiles 18 % apart (CV; medians 20 %) on an idle
 * machine. On the measuring thread alone: no wait, 4.2 % and 4.6–9.4 %, the sampler's rate up from
 * 2.2 to 3.5 kHz. Each sample is charged its own collections whatever the machine, as within a
 * CPU quota (Docker's) it largely is anyway.
 */
const GC_ON_MEASURING_THREAD = '--single-threaded-gc';

const NODE_HARNESS: HarnessSpec = {
  folder: 'node',
  script: 'node/harness.mjs',
  runtime: 'node',
  command(options) {
    // V8 does not start under a small address-space rlimit; its heap is bounded here instead, a
    // little under the run's limit so a heap exhaustion is reported rather than OOM-killed.
    const heapMb = Math.max(32, Math.floor(options.memoryMb * 0.75));
    const semiMb = semiSpaceMb(options.memoryMb);
    return {
      command: options.node ?? 'node',
      args: [
        `--max-old-space-size=${heapMb}`,
        `--min-semi-space-size=${semiMb}`,
        `--max-semi-space-size=${semiMb}`,
        GC_ON_MEASURING_THREAD,
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
