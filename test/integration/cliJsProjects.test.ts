/**
 * `afterburner profile` and `optimize` on whole JavaScript/TypeScript fixture projects
 * (test/fixtures/js-projects), each copied to a temporary folder with a node_modules of its own
 * (a link to this repo's, where jest, ts-jest and babel are pinned by the lockfile), run by the
 * built CLI in the local sandbox as a user runs it from the project: the project root is what the
 * sandbox sees, so imports that leave the module's folder and the runner's config at the root
 * (.babelrc, jest.config.js, moduleNameMapper, `"type": "module"`) hold as in `npx jest`.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replies, startScriptedOpenAiServer, type ScriptedOpenAiServer } from '../support/scriptedOpenAiServer';
import { builtCli, REPO, runCli, type CliRun } from './cliBuild';
import { useDockerEngine } from './dockerForTests';

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A copy of a fixture project, with node_modules as a user's `npm ci` would leave it. */
function projectCopy(name: string): string {
  const root = mkdtempSync(path.join(tmpdir(), `ab-cli-${name}-`));
  made.push(root);
  cpSync(path.join(REPO, 'test/fixtures/js-projects', name), root, { recursive: true });
  // Readable by others, like a checkout: as root, the local sandbox runs the tests as nobody.
  chmodSync(root, 0o755);
  symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

/**
 * A copy of the npm-workspaces fixture as `npm ci` at its root leaves it: one hoisted node_modules
 * whose packages are links (here to this repo's packages, and to the members under packages/).
 */
function workspaceCopy(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ab-cli-npm-workspaces-'));
  made.push(root);
  cpSync(path.join(REPO, 'test/fixtures/js-projects/npm-workspaces'), root, { recursive: true });
  chmodSync(root, 0o755);
  const modules = path.join(root, 'node_modules');
  mkdirSync(path.join(modules, '@fixture'), { recursive: true });
  for (const name of readdirSync(path.join(REPO, 'node_modules'))) {
    if (!name.startsWith('.')) symlinkSync(path.join(REPO, 'node_modules', name), path.join(modules, name));
  }
  for (const member of ['core', 'text'])
    symlinkSync(`../../packages/${member}`, path.join(modules, '@fixture', member));
  return root;
}

let cli: string;
beforeAll(async () => {
  cli = await builtCli();
});

async function profile(root: string, file: string, fn: string, sandbox: 'local' | 'docker' = 'local') {
  const run = await runCli(cli, [
    'profile',
    path.join(root, file),
    '--function',
    fn,
    '--sandbox',
    sandbox,
    '--timeout',
    '90',
    '--json',
  ]);
  return { run, result: JSON.parse(run.stdout) as Record<string, unknown> & { tests: { passed: number } } };
}

describe('afterburner profile on JavaScript/TypeScript projects', () => {
  it('ts-jest in a "type": "module" package, the module importing a file outside its folder', async () => {
    const { run, result } = await profile(projectCopy('ts-jest-esm-package'), 'graph/dijkstra.ts', 'dijkstra');
    expect(run.stderr).toMatch(/graph\/test\/dijkstra\.test\.ts/);
    expect(result.status, run.stderr).toBe('passed');
    expect(result.tests).toEqual({ passed: 2, failed: 0 });
    expect(result.calls).toBe(2);
    expect(result.calls_made).toBe(2);
  });

  it("ts-jest with the config's moduleNameMapper and a testRegex on .ts names", async () => {
    const { run, result } = await profile(projectCopy('ts-jest-paths'), 'src/tokenizer.ts', 'tokenize');
    expect(result.status, run.stderr).toBe('passed');
    expect(result.tests).toEqual({ passed: 2, failed: 0 });
    // One call from the test, one from countSlugs inside the module.
    expect(result.calls).toBe(2);
  });

  it('babel-jest with the .babelrc and setupFiles at the project root, tests in __test__/ beside the module', async () => {
    const { run, result } = await profile(projectCopy('jest-babel'), 'src/sorting/Sorter.js', 'Sorter.sort');
    expect(run.stderr).toMatch(/__test__\/Sorter\.test\.js/);
    expect(result.status, run.stderr).toBe('passed');
    expect(result.calls).toBe(2);
    expect(result.interpreter).toMatch(/node v\d+/);
  });
});

describe('afterburner profile in an npm workspace', () => {
  it("runs a member's jest tests from the member's folder, with its config, and its workspace dependency", async () => {
    const root = workspaceCopy();
    const { run, result } = await profile(root, 'packages/text/src/headings.js', 'headingAnchors');
    // The member's setupFiles provide an input one test uses: run from the workspace root, it fails.
    expect(result.status, run.stderr).toBe('passed');
    expect(result.tests).toEqual({ passed: 2, failed: 0 });
    expect(result.calls).toBe(2);
  });
});

describe('afterburner profile on what real modules hold', () => {
  it('a function a factory made, found by the CLI as the harness records it (node --test)', async () => {
    const { run, result } = await profile(projectCopy('module-semantics'), 'src/merge.js', 'merge');
    expect(result.status, run.stderr).toBe('passed');
    expect(result.calls).toBe(1);
  });
});

describe("afterburner profile where the tests read the project's data", () => {
  it('a jest project whose tests read .md/.tsv fixtures and a snapshot under --ci (local sandbox)', async () => {
    const { run, result } = await profile(projectCopy('jest-data'), 'src/markdownTable.js', 'markdownTable');
    // Without the fixtures and the snapshot, both tests fail in the sandbox while `npx jest` passes.
    expect(result.status, run.stderr).toBe('passed');
    expect(result.tests).toEqual({ passed: 2, failed: 0 });
    expect(result.calls).toBe(2);
  });

  describe('in the Docker sandbox', () => {
    useDockerEngine();

    it('a node:test project whose test reads a Markdown fixture and writes beside it, the project mounted read-only', async () => {
      const { run, result } = await profile(projectCopy('node-test-data'), 'lib/slugify.js', 'slugify', 'docker');
      expect(result.status, run.stderr).toBe('passed');
      expect(result.tests).toEqual({ passed: 1, failed: 0 });
      expect(result.calls).toBe(5);
      expect(String(result.isolation)).toMatch(/workspace mounted read-only/);
    });

    it("a project whose node_modules links into a package store outside it (pnpm's, npm link): the store is mounted too", async () => {
      const { root, store } = projectWithStoredPackage();
      const { run, result } = await profile(root, 'lib/label.js', 'label', 'docker');
      expect(result.status, run.stdout).toBe('passed');
      expect(result.calls).toBe(2);
      expect(String(result.isolation)).toContain(
        `the packages it links to mounted read-only too (${path.join(store, 'node_modules')})`,
      );
    });
  });
});

/**
 * A node:test project whose module imports a package its node_modules links to a store outside
 * the project, as pnpm's global virtual store or `npm link` leave it.
 */
function projectWithStoredPackage(): { root: string; store: string } {
  const store = mkdtempSync(path.join(tmpdir(), 'ab-cli-store-'));
  const root = mkdtempSync(path.join(tmpdir(), 'ab-cli-linked-'));
  made.push(store, root);
  const pkg = path.join(store, 'node_modules', 'pad-cells');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), '{ "name": "pad-cells", "type": "module", "exports": "./index.js" }');
  writeFileSync(
    path.join(pkg, 'index.js'),
    'export const padCell = (text, width) => String(text).padEnd(width, " ");\n',
  );
  mkdirSync(path.join(root, 'lib'));
  mkdirSync(path.join(root, 'test'));
  mkdirSync(path.join(root, 'node_modules'));
  symlinkSync(pkg, path.join(root, 'node_modules', 'pad-cells'));
  writeFileSync(path.join(root, 'package.json'), '{ "name": "linked-store", "private": true, "type": "module" }');
  writeFileSync(
    path.join(root, 'lib/label.js'),
    "import { padCell } from 'pad-cells';\n\nexport function label(name, width) {\n  return `[${padCell(name, width)}]`;\n}\n",
  );
  writeFileSync(
    path.join(root, 'test/label.test.js'),
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { label } from '../lib/label.js';\n\ntest('pads', () => {\n  assert.equal(label('ab', 4), '[ab  ]');\n  assert.equal(label('abcd', 2), '[abcd]');\n});\n",
  );
  for (const dir of [store, root]) chmodSync(dir, 0o755);
  return { root, store };
}

describe('afterburner optimize on a ts-jest project', () => {
  let server: ScriptedOpenAiServer;
  beforeAll(async () => {
    server = await startScriptedOpenAiServer({ models: ['scripted-coder'] });
  });
  afterAll(async () => server?.close());

  it('checks each candidate with the project jest and config, and leaves the file alone', async () => {
    const root = projectCopy('ts-jest-esm-package');
    const file = path.join(root, 'graph/dijkstra.ts');
    const before = readFileSync(file, 'utf8');
    // Wrong: never relaxes an edge past the start's neighbours.
    const wrong = before.replace('queue.push(next, to);', '');
    // Same answers, one lookup fewer per edge.
    const same = before.replace(
      'for (const [to, weight] of graph[node] ?? []) {',
      'const edges = graph[node];\n    if (edges === undefined) continue;\n    for (const [to, weight] of edges) {',
    );
    expect(wrong).not.toBe(before);
    expect(same).not.toBe(before);
    server.enqueue(replies.code('typescript', wrong), replies.code('typescript', same));
    const run = await runCli(
      cli,
      [
        'optimize',
        file,
        '--function',
        'dijkstra',
        '--sandbox',
        'local',
        '--timeout',
        '90',
        '--iterations',
        '2',
        '--candidates',
        '1',
        '--json',
      ],
      { AFTERBURNER_BASE_URL: server.baseUrl, AFTERBURNER_MODEL: 'scripted-coder', AFTERBURNER_API_KEY: 'sk-local' },
    );
    const result = JSON.parse(run.stdout) as {
      baseline: { status: string };
      iterations: { candidates: { status: string; reason: string }[] }[];
    };
    expect(result.baseline.status, run.stderr).toBe('passed');
    const candidates = result.iterations.flatMap((i) => i.candidates);
    expect(candidates.map((c) => c.status)).toEqual(['failed', 'passed']);
    expect(candidates[0]?.reason).toMatch(/finds shortest paths/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe('afterburner optimize where the calls that take the time cannot be recorded', () => {
  let server: ScriptedOpenAiServer;
  beforeAll(async () => {
    server = await startScriptedOpenAiServer({ models: ['scripted-coder'] });
  });
  afterAll(async () => server?.close());

  it('judges the candidate on the calls timed in place, run for run beside the original (jest)', async () => {
    const root = projectCopy('jest-in-place');
    const file = path.join(root, 'src/dedupe.js');
    const before = readFileSync(file, 'utf8');
    // A Set: the same events kept, without a scan of the ids seen for each one.
    const faster = before
      .replace('const seen = [];', 'const seen = new Set();')
      .replace('seen.includes(id)', 'seen.has(id)')
      .replace('seen.push(id);', 'seen.add(id);');
    expect(faster).not.toBe(before);
    server.enqueue(replies.code('javascript', faster));
    const run = await runCli(
      cli,
      [
        'optimize',
        file,
        '--function',
        'uniqueBy',
        '--sandbox',
        'local',
        '--timeout',
        '120',
        '--iterations',
        '1',
        '--candidates',
        '1',
        '--json',
      ],
      { AFTERBURNER_BASE_URL: server.baseUrl, AFTERBURNER_MODEL: 'scripted-coder', AFTERBURNER_API_KEY: 'sk-local' },
    );
    const result = JSON.parse(run.stdout) as {
      baseline: { status: string; coverage?: number; in_place?: { calls: number; tests: number; coverage: number } };
      iterations: { candidates: { status: string; accepted: boolean; reason: string }[] }[];
    };
    expect(result.baseline.status, run.stderr).toBe('passed');
    // The 6,000-event call, its key reading a WeakMap, holds nearly all of the tests' time in the function.
    expect(result.baseline.coverage).toBeLessThan(0.1);
    expect(result.baseline.in_place?.calls).toBe(2);
    // Two of the file's three tests call it (jest says which test is running).
    expect(result.baseline.in_place?.tests).toBe(2);
    expect(result.baseline.in_place?.coverage).toBe(1);
    const [candidate] = result.iterations.flatMap((i) => i.candidates);
    expect(candidate?.status).toBe('passed');
    expect(candidate?.reason).toMatch(/side by side on the calls timed in place/);
    expect(candidate?.accepted, candidate?.reason).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(before);
  }, 240_000);

  it('measures runtime and memory in place when no call can be recorded, and judges candidates there (node:test)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'ab-cli-in-place-only-'));
    made.push(root);
    chmodSync(root, 0o755);
    for (const name of ['indexBy.mjs', 'indexBy.test.mjs'])
      cpSync(path.join(REPO, 'test/fixtures/js', name), path.join(root, name));
    const file = path.join(root, 'indexBy.mjs');
    const before = readFileSync(file, 'utf8');
    const args = ['--function', 'indexBy', '--sandbox', 'local', '--timeout', '120'];
    const profiled = await runCli(cli, ['profile', file, ...args, '--json']);
    expect(profiled.code, profiled.stderr).toBe(0);
    const p = JSON.parse(profiled.stdout) as {
      runtime_basis: string;
      calls: number;
      calls_made: number;
      peak_memory_kb: number;
      integral_kb_ms: number;
      notes: string[];
    };
    expect(p.runtime_basis).toBe('in_place');
    expect(p.calls).toBe(0);
    expect(p.calls_made).toBe(2);
    expect(p.peak_memory_kb).toBeGreaterThan(30);
    expect(p.integral_kb_ms).toBeGreaterThan(0);
    expect(p.notes.join('\n')).toMatch(/no call could be recorded .*so every figure is from the calls timed in place/);
    // Each group sorted again (by id, the order it already has) per record; then grown in place.
    const slower = before.replace(
      '[...(index[key] ?? []), record]',
      '[...(index[key] ?? []), record].sort((a, b) => a.id - b.id)',
    );
    const faster = readFileSync(path.join(REPO, 'test/fixtures/js/indexByFast.mjs'), 'utf8');
    expect(slower).not.toBe(before);
    server.enqueue(replies.code('javascript', slower), replies.code('javascript', faster));
    const run = await runCli(cli, ['optimize', file, ...args, '--iterations', '1', '--candidates', '2', '--json'], {
      AFTERBURNER_BASE_URL: server.baseUrl,
      AFTERBURNER_MODEL: 'scripted-coder',
      AFTERBURNER_API_KEY: 'sk-local',
    });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      baseline: { runtime_basis?: string };
      iterations: { candidates: { accepted: boolean; reason: string; peak_memory_kb: number | null }[] }[];
    };
    expect(result.baseline.runtime_basis).toBe('in_place');
    const [slow, fast] = result.iterations[0]?.candidates ?? [];
    expect(slow?.accepted, slow?.reason).toBe(false);
    expect(slow?.reason).toMatch(/slower than the best so far side by side on the calls timed in place/);
    expect(fast?.accepted, fast?.reason).toBe(true);
    expect(fast?.reason).toMatch(
      /^accepted: [\d.]+× faster than the best so far side by side on the calls timed in place/,
    );
    expect(fast?.peak_memory_kb ?? 0).toBeGreaterThan(0);
    expect(readFileSync(file, 'utf8')).toBe(before);
  }, 240_000);
});

/**
 * A project whose dependency ships a compiled addon that cannot load where the tests run (here
 * bytes that are no ELF at all, as a macOS build or a foreign CPU's looks to Linux).
 */
function projectWithForeignAddon(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ab-cli-native-addon-'));
  made.push(root);
  chmodSync(root, 0o755);
  const write = (file: string, content: string | Buffer): void => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(root, file), content, { mode: 0o644 });
  };
  write('package.json', JSON.stringify({ name: 'uses-addon', version: '1.0.0' }));
  write('node_modules/fastsum/package.json', JSON.stringify({ name: 'fastsum', main: 'index.js' }));
  write('node_modules/fastsum/index.js', "module.exports = require('./build/Release/fastsum.node');\n");
  write('node_modules/fastsum/build/Release/fastsum.node', randomBytes(4096));
  write(
    'lib/sum.js',
    "const fastsum = require('fastsum');\nfunction sum(values) {\n  return values.reduce((a, b) => a + b, 0);\n}\nmodule.exports = { sum, fastsum };\n",
  );
  write(
    'test/sum.test.js',
    "const test = require('node:test');\nconst assert = require('node:assert');\nconst { sum } = require('../lib/sum.js');\ntest('sum', () => assert.strictEqual(sum([1, 2, 3]), 6));\n",
  );
  return root;
}

/** `afterburner profile` on that project's `sum`, in the given sandbox. */
function profileBesideForeignAddon(sandbox: 'local' | 'docker'): Promise<{ root: string; run: CliRun }> {
  const root = projectWithForeignAddon();
  return runCli(cli, ['profile', path.join(root, 'lib/sum.js'), '--function', 'sum', '--sandbox', sandbox]).then(
    (run) => ({ root, run }),
  );
}

describe('afterburner profile with a compiled addon built for another platform', () => {
  it('names the addon, why it cannot load and what runs here (local sandbox: rebuild it)', async () => {
    const { root, run } = await profileBesideForeignAddon('local');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `${path.join(root, 'node_modules/fastsum/build/Release/fastsum.node')} cannot load in this sandbox: it was built for another system or CPU; the sandbox runs Node v`,
    );
    expect(run.stdout).toMatch(/Next step: rebuild it for this Node \(npm rebuild in the project\)/);
    // The loader's stack is left out for this.
    expect(run.stdout).not.toMatch(/Module\._extensions/);
  });

  describe('in the Docker sandbox', () => {
    useDockerEngine();

    it('advises the local sandbox or an image with the Node the addon was built for', async () => {
      const { run } = await profileBesideForeignAddon('docker');
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toMatch(/fastsum\.node cannot load in this sandbox: it was built for another system or CPU/);
      expect(run.stdout).toMatch(/Next step: use the local sandbox \(--sandbox local/);
    });
  });
});
