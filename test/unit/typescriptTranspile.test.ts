import { describe, expect, it } from 'vitest';
import { transpileTypeScript } from '../../src/adapters/typescriptTranspile';
import type { SourceFile } from '../../src/core/sandboxTypes';

const sum: SourceFile = { path: 'src/sum.ts', content: 'export function sum(xs: number[]): number {\n  return xs.reduce((a: number, b: number) => a + b, 0);\n}\n' };

function fileAt(files: readonly SourceFile[], p: string): string {
  const f = files.find((x) => x.path === p);
  if (!f) throw new Error(`no ${p} in ${files.map((x) => x.path).join(', ')}`);
  return f.content;
}

describe('transpileTypeScript', () => {
  it('emits .mjs beside each .ts file and renames the module and test paths', () => {
    const test: SourceFile = { path: 'test/sum.test.ts', content: "import { sum } from '../src/sum.js';\nconst n: number = sum([1]);\n" };
    const out = transpileTypeScript({ files: [sum, test], modulePath: 'src/sum.ts', testPaths: ['test/sum.test.ts'] });
    if (out.kind !== 'ok') throw new Error(out.message);
    expect(out.modulePath).toBe('src/sum.mjs');
    expect(out.testPaths).toEqual(['test/sum.test.mjs']);
    expect(out.files.map((f) => f.path).sort()).toEqual(['src/sum.mjs', 'test/sum.test.mjs']);
    expect(fileAt(out.files, 'src/sum.mjs')).not.toContain(': number');
    expect(fileAt(out.files, 'test/sum.test.mjs')).toContain('"../src/sum.mjs"');
  });

  it.each(['./sum', './sum.js', './sum.ts'])('rewrites the specifier %s to the emitted file', (spec) => {
    const test: SourceFile = { path: 'src/sum.test.ts', content: `import { sum } from '${spec}';\nsum([1]);\n` };
    const out = transpileTypeScript({ files: [sum, test], modulePath: 'src/sum.ts', testPaths: ['src/sum.test.ts'] });
    if (out.kind !== 'ok') throw new Error(out.message);
    expect(fileAt(out.files, 'src/sum.test.mjs')).toContain('"./sum.mjs"');
  });

  it('emits CommonJS when the nearest package.json is not "type": "module", and always for .cts', () => {
    const pkg: SourceFile = { path: 'package.json', content: '{"name":"x"}' };
    const cts: SourceFile = { path: 'src/util.cts', content: 'export const one = 1;\n' };
    const out = transpileTypeScript({ files: [pkg, sum, cts], modulePath: 'src/sum.ts', testPaths: [] });
    if (out.kind !== 'ok') throw new Error(out.message);
    expect(out.modulePath).toBe('src/sum.cjs');
    expect(fileAt(out.files, 'src/sum.cjs')).toContain('module.exports');
    expect(fileAt(out.files, 'src/util.cjs')).toContain('module.exports');
    const esm = transpileTypeScript({ files: [{ path: 'package.json', content: '{"type":"module"}' }, sum], modulePath: 'src/sum.ts', testPaths: [] });
    expect(esm.kind === 'ok' && esm.modulePath).toBe('src/sum.mjs');
  });

  it('rewrites JavaScript tests that import the TypeScript module', () => {
    const test: SourceFile = { path: 'src/sum.test.mjs', content: "import { sum } from './sum.ts';\n" };
    const out = transpileTypeScript({ files: [sum, test], modulePath: 'src/sum.ts', testPaths: ['src/sum.test.mjs'] });
    if (out.kind !== 'ok') throw new Error(out.message);
    expect(fileAt(out.files, 'src/sum.test.mjs')).toContain("'./sum.mjs'");
  });

  it('reports a syntax error with file:line:column', () => {
    const broken: SourceFile = { path: 'src/broken.ts', content: 'export function f(): number {\n  return (1 + ;\n}\n' };
    const out = transpileTypeScript({ files: [broken], modulePath: 'src/broken.ts', testPaths: [] });
    expect(out.kind).toBe('error');
    expect(out.kind === 'error' && out.message).toMatch(/^TypeScript syntax error in src\/broken\.ts:2:\d+: /);
  });
});
