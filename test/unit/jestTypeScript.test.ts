import { describe, expect, it } from 'vitest';
import { jestCompilesTypeScript } from '../../src/languages/node/jestTypeScript';
import { typescriptModule } from '../../src/languages/node/nodeModules';
import type { SourceFile } from '../../src/core/sandboxTypes';

const module: SourceFile = { path: 'src/sum.ts', content: 'export const sum = (a: number, b: number) => a + b;\n' };
const test: SourceFile = {
  path: 'test/sum.test.ts',
  content: "import { sum } from '../src/sum';\nit('adds', () => expect(sum(1, 2)).toBe(3));\n",
};
const paths = [module.path, test.path];
const withFiles = (...files: SourceFile[]): SourceFile[] => [module, test, ...files];

describe('jestCompilesTypeScript', () => {
  it("is true when the root's jest config transforms with ts-jest, in any config form", () => {
    expect(
      jestCompilesTypeScript(
        withFiles({ path: 'jest.config.js', content: "module.exports = { preset: 'ts-jest' };" }),
        paths,
      ),
    ).toBe(true);
    expect(
      jestCompilesTypeScript(
        withFiles({ path: 'jest.config.ts', content: "export default { transform: { '^.+\\\\.ts$': 'ts-jest' } };" }),
        paths,
      ),
    ).toBe(true);
    expect(
      jestCompilesTypeScript(
        withFiles({ path: 'package.json', content: JSON.stringify({ jest: { preset: 'ts-jest' } }) }),
        paths,
      ),
    ).toBe(true);
  });

  it("is true for jest's default babel-jest when the project's babel config has the TypeScript preset", () => {
    const files = withFiles(
      { path: 'package.json', content: JSON.stringify({ jest: { testEnvironment: 'node' } }) },
      { path: 'babel.config.js', content: "module.exports = { presets: ['@babel/preset-typescript'] };" },
    );
    expect(jestCompilesTypeScript(files, paths)).toBe(true);
  });

  it('is false without a jest config at the root, for a config that compiles no TypeScript, and for vitest tests', () => {
    expect(jestCompilesTypeScript(withFiles({ path: 'package.json', content: '{"name":"x"}' }), paths)).toBe(false);
    expect(
      jestCompilesTypeScript(
        withFiles({ path: 'sub/jest.config.js', content: "module.exports = { preset: 'ts-jest' };" }),
        paths,
      ),
    ).toBe(false);
    expect(
      jestCompilesTypeScript(
        withFiles({ path: 'jest.config.js', content: 'module.exports = { verbose: true };' }),
        paths,
      ),
    ).toBe(false);
    const vitestTest = { ...test, content: `import { it, expect } from 'vitest';\n${test.content}` };
    expect(
      jestCompilesTypeScript(
        [module, vitestTest, { path: 'jest.config.js', content: "module.exports = { preset: 'ts-jest' };" }],
        paths,
      ),
    ).toBe(false);
  });
});

describe("TypeScript's host step for a project whose jest compiles TypeScript", () => {
  const run = (files: SourceFile[]) =>
    typescriptModule.harness.transpile?.run({ files, modulePath: module.path, testPaths: [test.path] });

  it('keeps the .ts sources and test paths beside the emitted JavaScript, and leaves jest.config.ts alone', () => {
    const config = { path: 'jest.config.ts', content: "export default { preset: 'ts-jest' };\n" };
    const out = run(withFiles(config, { path: 'package.json', content: '{"type":"module"}' }));
    if (out?.kind !== 'ok') throw new Error('transpile failed');
    expect(out.modulePath).toBe('src/sum.mjs');
    expect(out.testPaths).toEqual(['test/sum.test.ts']);
    const byPath = new Map(out.files.map((f) => [f.path, f.content]));
    expect(byPath.get('src/sum.ts')).toBe(module.content);
    expect(byPath.get('test/sum.test.ts')).toBe(test.content);
    expect(byPath.get('test/sum.test.mjs')).toMatch(/from "\.\.\/src\/sum\.mjs"|from '\.\.\/src\/sum\.mjs'/);
    expect(byPath.get('jest.config.ts')).toBe(config.content);
    expect(byPath.has('jest.config.mjs')).toBe(false);
  });

  it('replaces the sources by their JavaScript otherwise', () => {
    const out = run(withFiles({ path: 'package.json', content: '{"name":"x"}' }));
    if (out?.kind !== 'ok') throw new Error('transpile failed');
    expect(out.testPaths).toEqual(['test/sum.test.cjs']);
    expect(out.files.some((f) => f.path.endsWith('.ts'))).toBe(false);
  });
});
