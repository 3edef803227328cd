import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxJobInput } from '../../src/cli/sandboxJobInput';

const JEST_BABEL = path.resolve(__dirname, '../fixtures/js-projects/jest-babel');

function ok(outcome: ReturnType<typeof sandboxJobInput>) {
  if (outcome.kind !== 'ok') throw new Error(outcome.message);
  return outcome;
}

describe('the sandbox job input of a JavaScript project', () => {
  const module = path.join(JEST_BABEL, 'src/sorting/Sorter.js');
  const test = path.join(JEST_BABEL, 'src/sorting/__test__/Sorter.test.js');

  it("is copied from the project root, with the runner's config there and files outside the module's folder", () => {
    const input = ok(sandboxJobInput('javascript', module, [test]));
    expect(input.root).toBe(JEST_BABEL);
    expect(input.workspaceRoot).toBe(JEST_BABEL);
    expect(input.modulePath).toBe('src/sorting/Sorter.js');
    expect(input.testPaths).toEqual(['src/sorting/__test__/Sorter.test.js']);
    const paths = input.files.map((f) => f.path);
    // .babelrc (a name without extension), the package.json holding jest's config, its setup file,
    // and a module of another folder.
    expect(paths).toEqual(
      expect.arrayContaining(['.babelrc', 'package.json', 'jest.setup.js', 'src/strings/caesar.js']),
    );
    expect(input.omitted).toBe(0);
  });

  it("takes the editor's unsaved text in place of the disk's", () => {
    const unsaved = 'export default class Sorter { sort(items) { return [...items].sort(); } }\n';
    const input = ok(sandboxJobInput('javascript', module, [test], (file) => (file === module ? unsaved : undefined)));
    expect(input.files.find((f) => f.path === 'src/sorting/Sorter.js')?.content).toBe(unsaved);
  });
});
