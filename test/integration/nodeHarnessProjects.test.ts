// Whole fixture projects (test/fixtures/js-projects) run by the harness as their own runner runs
// them: module semantics real code uses (import cycles, factory-made and module-private functions,
// calls from inside the module, async functions, JSON imports, extensionless imports, ES module
// syntax in a CommonJS package) and the runners' own configs (jest + babel, mocha's .mocharc).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { typescriptModule } from '../../src/languages/node/nodeModules';
import { failed, measurementOf, passed, removeWorkDirs, repo, runNodeHarness } from './nodeHarnessRun';

const projects = path.join(repo, 'test/fixtures/js-projects');

/** Every file of a fixture project, by project-relative path. */
function projectFiles(name: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files[path.relative(path.join(projects, name), full).split(path.sep).join('/')] = readFileSync(full, 'utf8');
    }
  };
  walk(path.join(projects, name));
  return files;
}

/** A workspace folder whose node_modules links to the repo's packages (the runners the fixtures use). */
function makeWorkspace(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ab-projects-workspace-'));
  mkdirSync(path.join(root, 'node_modules'));
  for (const name of readdirSync(path.join(repo, 'node_modules'))) {
    if (!name.startsWith('.vite') && name !== '.cache')
      symlinkSync(path.join(repo, 'node_modules', name), path.join(root, 'node_modules', name));
  }
  return root;
}

const workspace = makeWorkspace();
afterAll(() => {
  removeWorkDirs();
  rmSync(workspace, { recursive: true, force: true });
});

async function profile(project: string, modulePath: string, testPaths: readonly string[], target: string) {
  return runNodeHarness({ files: projectFiles(project), modulePath, testPaths, target, workspaceRoot: workspace });
}

describe('node harness: module semantics of real projects (node:test)', () => {
  const tests = ['test/url.test.js', 'test/merge.test.js', 'test/score.test.js'];

  it('records a function whose module is in an import cycle with the module the tests import first', async () => {
    const { report } = await profile('module-semantics', 'src/utils.js', tests, 'joinURL');
    const ok = passed(report);
    expect(ok.tests).toEqual({ passed: 7, failed: 0 });
    expect(ok.recording?.calls).toBe(3);
    expect(ok.callsMade).toBe(3);
    expect(ok.interpreter).toMatch(/node v\d+\./);
  });

  it('records an export made by a factory, and its recursive calls are not recorded twice', async () => {
    const { report } = await profile('module-semantics', 'src/merge.js', tests, 'merge');
    expect(passed(report).recording?.calls).toBe(1);
  });

  it('records a module-private helper on every call other functions of the module make', async () => {
    const { report } = await profile('module-semantics', 'src/merge.js', tests, 'isPlainObject');
    const ok = passed(report);
    // merge: `a` on both sides, then `b` inside the nested merge; mergeArrays' merger takes `list` itself.
    expect(ok.recording?.calls).toBe(3);
    expect(ok.callsMade).toBe(3);
    expect(measurementOf(report).runtimeMs.median).toBeGreaterThan(0);
  });

  it('records an `export const` arrow function called by another export through Array#map', async () => {
    const { report } = await profile('module-semantics', 'src/score.js', tests, 'scoreWord');
    expect(passed(report).recording?.calls).toBe(3);
  });

  it('measures an async function by the time its promise takes to settle', async () => {
    const { report } = await profile('module-semantics', 'src/score.js', tests, 'scoreAll');
    const m = measurementOf(report);
    expect(m.calls).toBe(1);
    // It waits for a 1 ms timer before it settles.
    expect(m.runtimeMs.median).toBeGreaterThanOrEqual(0.9);
  });

  it('says which calls it could not record, and why', async () => {
    const files = {
      ...projectFiles('module-semantics'),
      'test/callback.test.js': [
        "import { test } from 'node:test';",
        "import { scoreAll } from '../src/index.js';",
        "test('with a WeakMap', async () => { await scoreAll(['ab'], new WeakMap()); await scoreAll(['q']); });",
      ].join('\n'),
    };
    const { report } = await runNodeHarness({
      files,
      modulePath: 'src/score.js',
      testPaths: ['test/callback.test.js'],
      target: 'scoreAll',
      workspaceRoot: workspace,
    });
    const ok = passed(report);
    expect(ok.callsMade).toBe(2);
    expect(ok.recording?.calls).toBe(1);
    expect(ok.notes).toContainEqual(expect.stringMatching(/^1 call not recorded: input holds a WeakMap/));
  });

  it('reports a test that fails on the original code as a failure of the tests', async () => {
    const files = {
      ...projectFiles('module-semantics'),
      'test/wrong.test.js': [
        "import assert from 'node:assert/strict';",
        "import { test } from 'node:test';",
        "import { joinURL } from '../src/index.js';",
        "test('expects a double slash', () => assert.equal(joinURL('a/', '/b'), 'a//b'));",
      ].join('\n'),
    };
    const { report } = await runNodeHarness({
      files,
      modulePath: 'src/utils.js',
      testPaths: ['test/wrong.test.js'],
      target: 'joinURL',
      workspaceRoot: workspace,
    });
    const bad = failed(report);
    expect(bad.tests).toEqual({ passed: 0, failed: 1 });
    expect(bad.failures[0]?.message).toMatch(/a\/b/);
    expect(bad.interpreter).toMatch(/node/);
  });
});

describe('node harness: the project runner and its config', () => {
  it("runs mocha specs with the project's .mocharc (its `require` file) and records a function called by another export", async () => {
    const { report } = await profile('mocha', 'lib/palindromes.js', ['test/palindromes.spec.js'], 'reverse');
    const ok = passed(report);
    expect(ok.runner).toBe('mocha');
    expect(ok.tests).toEqual({ passed: 2, failed: 0 });
    // 4 setup words + 2 direct checks, each reversed once by isPalindrome.
    expect(ok.recording?.calls).toBe(6);
  });

  it("records a CommonJS function exported above its declaration, and a method set on a constructor's prototype", async () => {
    const specs = ['test/wordStats.spec.js'];
    // `module.exports = countWords` runs before `function countWords` is reached.
    const words = passed((await profile('mocha', 'lib/tally.js', specs, 'countWords')).report);
    expect(words.tests).toEqual({ passed: 2, failed: 0 });
    expect(words.recording?.calls).toBe(2);
    expect(words.callsMade).toBe(2);
    // `WordStats.prototype.top = function top(n) { … }`, called on instances the specs make.
    const top = passed((await profile('mocha', 'index.js', specs, 'WordStats.top')).report);
    expect(top.recording?.calls).toBe(1);
  });

  it('reports a failing mocha spec with its message', async () => {
    const files = {
      ...projectFiles('mocha'),
      'test/wrong.spec.js': [
        "const assert = require('node:assert');",
        "const { palindromes } = require('../lib/palindromes');",
        "describe('wrong', () => { it('expects mocha', () => assert.deepStrictEqual(palindromes(['mocha']), ['mocha'])); });",
      ].join('\n'),
    };
    const { report } = await runNodeHarness({
      files,
      modulePath: 'lib/palindromes.js',
      testPaths: ['test/wrong.spec.js'],
      target: 'palindromes',
      workspaceRoot: workspace,
    });
    const bad = failed(report);
    expect(bad.runner).toBe('mocha');
    expect(bad.failures[0]?.test).toBe('wrong expects mocha');
    expect(bad.failures[0]?.message).toMatch(/deep.*equal|mocha/i);
  });

  it("records through jest's own module registry: babel-jest, ES module syntax in a CommonJS package, extensionless imports, setupFiles", async () => {
    const files = ['src/strings/__test__/caesar.test.js'];
    const { report } = await profile('jest-babel', 'src/strings/caesar.js', files, 'shiftChar');
    const ok = passed(report);
    expect(ok.runner).toBe('jest');
    expect(ok.tests).toEqual({ passed: 2, failed: 0 });
    // A module-private helper: 'abc xyz' (7 characters), then 'hello' encrypted and decrypted (5 + 5).
    expect(ok.recording?.calls).toBe(17);
    expect(ok.callsMade).toBe(17);
  });

  it('records a class method whose instance holds an instance of an imported class, and the recording replays equal', async () => {
    const tests = ['src/sorting/__test__/Sorter.test.js'];
    const sort = passed((await profile('jest-babel', 'src/sorting/Sorter.js', tests, 'Sorter.sort')).report);
    expect(sort.recording?.calls).toBe(2);
    const recording = sort.recording;
    if (!recording) throw new Error('no recording');
    const { report } = await runNodeHarness({
      files: projectFiles('jest-babel'),
      modulePath: 'src/sorting/Sorter.js',
      testPaths: tests,
      target: 'Sorter.sort',
      mode: { kind: 'check', recording },
      workspaceRoot: workspace,
    });
    expect(passed(report).measurement?.calls).toBe(2);
  });

  it('records a static method on the calls another class makes to it through jest', async () => {
    const tests = ['src/sorting/__test__/Sorter.test.js'];
    const compare = passed(
      (await profile('jest-babel', 'src/sorting/Comparator.js', tests, 'Comparator.compare')).report,
    );
    // 1 direct call, and 6 from Sorter#sort through Comparator#lessThan.
    expect(compare.recording?.calls).toBe(7);
    expect(compare.callsMade).toBe(7);
  });

  it('reports a jest test that fails on the original code as a failure, with the message jest gives', async () => {
    const files = {
      ...projectFiles('jest-babel'),
      'src/strings/__test__/wrong.test.js': [
        "import { caesarEncrypt } from '../caesar';",
        "it('expects upper case', () => { expect(caesarEncrypt('ab', 1)).toBe('BC'); });",
      ].join('\n'),
    };
    const { report } = await runNodeHarness({
      files,
      modulePath: 'src/strings/caesar.js',
      testPaths: ['src/strings/__test__/wrong.test.js'],
      target: 'caesarEncrypt',
      workspaceRoot: workspace,
    });
    const bad = failed(report);
    expect(bad.runner).toBe('jest');
    expect(bad.failures[0]?.message).toMatch(/Expected: "BC"[\s\S]*Received: "bc"/);
  });

  it('records through ts-jest with moduleNameMapper, and loads the module for measuring through the tsconfig `paths` alias', async () => {
    const sources = projectFiles('ts-jest-paths');
    // The host's step for TypeScript, as a run takes it: the project's jest compiles TypeScript
    // (ts-jest), so the sources stay beside what the host emitted and the tests stay .ts.
    const emitted = typescriptModule.harness.transpile?.run({
      files: Object.entries(sources).map(([p, content]) => ({ path: p, content })),
      modulePath: 'src/tokenizer.ts',
      testPaths: ['__tests__/tokenizer.test.ts'],
    });
    if (emitted?.kind !== 'ok') throw new Error(emitted?.message ?? 'no transpile step');
    expect(emitted.testPaths).toEqual(['__tests__/tokenizer.test.ts']);
    const files = Object.fromEntries(emitted.files.map((f) => [f.path, f.content]));
    expect(files['src/tokenizer.ts']).toBe(sources['src/tokenizer.ts']);
    const { report } = await runNodeHarness({
      files,
      modulePath: emitted.modulePath,
      testPaths: emitted.testPaths,
      target: 'tokenize',
      workspaceRoot: workspace,
    });
    const ok = passed(report);
    expect(ok.runner).toBe('jest');
    expect(ok.tests).toEqual({ passed: 2, failed: 0 });
    // One direct call, and one from countSlugs inside the module.
    expect(ok.recording?.calls).toBe(2);
    expect(measurementOf(report).runtimeMs.median).toBeGreaterThan(0);
  });
});
