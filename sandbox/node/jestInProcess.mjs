// jest run by the harness in its own process (runInBand) when calls must be recorded, with the
// project's config as `npx jest` at the project root reads it (transform, moduleNameMapper,
// setupFiles, testEnvironment, roots, preset…), plus two things: a setup file that connects the
// test environments to the recorder (jestSetup.cjs), and each transform wrapped so that the target
// module's binding is instrumented before the project's transformer compiles it (jestTransform.cjs).
// The tests therefore call the function through jest's own module registry, with its mocks and
// module mapping, and the verdict is jest's.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { HarnessError } from './harnessError.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
/** jest's own default when a config names no transform. */
const DEFAULT_TRANSFORM = { '\\.[jt]sx?$': 'babel-jest' };

function requireFrom(file) {
  return createRequire(file);
}

/** jest and its jest-config, as the project resolves them. */
function projectJest(dir) {
  const fromProject = requireFrom(path.join(dir, 'package.json'));
  let jestPath;
  try {
    jestPath = fromProject.resolve('jest');
  } catch {
    return undefined;
  }
  const fromJest = requireFrom(jestPath);
  for (const via of ['@jest/core', 'jest-cli']) {
    try {
      const config = requireFrom(fromJest.resolve(via))('jest-config');
      if (typeof config.readInitialOptions === 'function') return { jest: fromJest(jestPath), config, fromJest };
    } catch {
      // the next one
    }
  }
  return undefined;
}

/** The transform map of the config, or of its preset, or jest's default. */
function transformOf(config, resolveFromRoot) {
  if (config.transform) return config.transform;
  if (typeof config.preset === 'string') {
    try {
      const preset = requireFrom(path.join(config.rootDir, 'package.json'))(
        resolveFromRoot(path.posix.join(config.preset, 'jest-preset')),
      );
      if (preset?.transform) return preset.transform;
    } catch {
      // jest reports a preset it cannot load itself
    }
  }
  return DEFAULT_TRANSFORM;
}

/** ts-jest type-checks each file it compiles: the instrumented target is left out of that check. */
function innerOptionsFor(modulePath, options, plans) {
  if (!/[\\/]ts-jest[\\/]/.test(modulePath) || options?.diagnostics === false) return options ?? {};
  const diagnostics = typeof options?.diagnostics === 'object' ? options.diagnostics : {};
  return {
    ...options,
    diagnostics: { ...diagnostics, exclude: [...(diagnostics.exclude ?? []), ...plans.map((p) => p.abs)] },
  };
}

function wrappedTransform(config, plans, fromJest) {
  const rootRequire = requireFrom(path.join(config.rootDir, 'package.json'));
  const resolveFromRoot = (name) => {
    const spec = name.replace(/<rootDir>/g, config.rootDir);
    try {
      return rootRequire.resolve(spec);
    } catch {
      return fromJest.resolve(spec);
    }
  };
  const out = {};
  for (const [pattern, entry] of Object.entries(transformOf(config, resolveFromRoot))) {
    const [name, options] = Array.isArray(entry) ? entry : [entry, {}];
    const inner = resolveFromRoot(name);
    out[pattern] = [
      path.join(here, 'jestTransform.cjs'),
      { inner, innerOptions: innerOptionsFor(inner, options, plans), plans },
    ];
  }
  // A target file no pattern covers (jest's default leaves out .cjs and .mjs) is instrumented as it is.
  for (const plan of plans) {
    if (Object.keys(out).some((pattern) => new RegExp(pattern).test(plan.abs))) continue;
    out[`${plan.abs.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`] = [
      path.join(here, 'jestTransform.cjs'),
      { inner: null, innerOptions: {}, plans },
    ];
  }
  return out;
}

/** Whether this project's tests can be run by its jest in this process. */
export function canRunJestInProcess(dir = process.cwd()) {
  return projectJest(dir) !== undefined;
}

/** jest's default `moduleFileExtensions`. */
const DEFAULT_EXTENSIONS = ['js', 'mjs', 'cjs', 'jsx', 'ts', 'tsx', 'json', 'node'];

/**
 * TypeScript tests run through the project's TypeScript transform beside the JavaScript the host
 * emitted for each .ts file (the harness replays calls on that): an extensionless import must
 * still find the .ts file, as it does in the project, so TypeScript's extensions come first.
 * Undefined when no test is TypeScript.
 */
export function typeScriptFirst(files, extensions = DEFAULT_EXTENSIONS) {
  if (!files.some((f) => /\.tsx?$/.test(f))) return undefined;
  const ts = extensions.filter((e) => e === 'ts' || e === 'tsx');
  return [...ts, ...extensions.filter((e) => !ts.includes(e))];
}

/**
 * The `moduleFileExtensions` for a run of `files` by the project's jest outside this process:
 * TypeScript's first when a test is TypeScript (typeScriptFirst), else undefined (the config's own).
 */
export async function jestExtensionsFor(files, dir = process.cwd()) {
  if (!files.some((f) => /\.tsx?$/.test(f))) return undefined;
  if (!configByDir.has(dir)) {
    const found = projectJest(dir);
    // jest before 29.3 cannot tell its config's list here: its default one then.
    configByDir.set(dir, found ? readConfig(found, dir) : Promise.resolve({}));
  }
  const config = await configByDir.get(dir);
  return typeScriptFirst(files, config.moduleFileExtensions);
}

/** Each package folder's config is read once per run, however many test files it has. */
const configByDir = new Map();

/** The project's jest config as `npx jest` in `dir` reads it, or jest's defaults without one. */
async function readConfig(found, dir) {
  try {
    const { config } = await found.config.readInitialOptions(undefined, {
      packageRootOrConfig: dir,
      skipMultipleConfigError: true,
    });
    return config;
  } catch {
    // No jest.config.* nor package.json up the tree: `npx jest` would run with its defaults.
    return { rootDir: dir };
  }
}

/**
 * Runs `files` (relative to `dir`, their package's folder) with the project's jest in this process; returns jest's aggregated
 * results (the shape of `jest --json`).
 */
export async function runJestInProcess(files, plans, dir = process.cwd()) {
  const found = projectJest(dir);
  if (!found) throw new HarnessError('jest is not installed where the project resolves packages');
  const initial = await readConfig(found, dir);
  const config = { ...initial, rootDir: initial.rootDir ?? dir };
  if (config.projects) {
    throw new HarnessError('jest configs with `projects` are not supported for recording yet');
  }
  const composed = {
    ...config,
    setupFiles: [path.join(here, 'jestSetup.cjs'), ...(config.setupFiles ?? [])],
    transform: wrappedTransform(config, plans, found.fromJest),
  };
  const extensions = typeScriptFirst(files, config.moduleFileExtensions);
  if (extensions) composed.moduleFileExtensions = extensions;
  if (!initial.testMatch && !initial.testRegex) {
    // runTestsByPath still filters by the patterns, and jest's default ones leave out .cjs files.
    composed.testMatch = files.map((f) => path.resolve(dir, f));
  }
  const { results } = await found.jest.runCLI(
    {
      // Absolute: jest resolves the paths against this process's folder, the project root.
      _: files.map((f) => path.resolve(dir, f)),
      // A file the config's patterns leave out is told as "ran no test", not by jest ending the process.
      passWithNoTests: true,
      $0: 'jest',
      config: JSON.stringify(composed),
      runInBand: true,
      runTestsByPath: true,
      ci: true,
      cache: false,
      cacheDirectory: path.join(process.cwd(), '.afterburner-jest-cache'),
      watchman: false,
      silent: false,
    },
    [dir],
  );
  return results;
}
