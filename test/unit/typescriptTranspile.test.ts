import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { transpileTypeScript } from '../../src/languages/node/typescriptTranspile';
import type { SourceFile } from '../../src/core/sandboxTypes';

/** What the harness's sandbox/node/sourceMap.mjs offers (plain JavaScript, no declarations). */
interface SourceMapModule {
  decodeVlq(segment: string): number[];
  readSourceMap(code: string): { sources: string[]; sourcesContent?: string[]; mappings: string } | undefined;
  lineMapper(map: unknown): { original(line: number): { line: number; text: string } | undefined } | undefined;
}

const sourceMapModule = import(
  pathToFileURL(path.resolve(__dirname, '../../sandbox/node/sourceMap.mjs')).href
) as Promise<SourceMapModule>;
const slowSumTs = readFileSync(path.resolve(__dirname, '../fixtures/ts/slowSum.ts'), 'utf8');

const sum: SourceFile = {
  path: 'src/sum.ts',
  content: 'export function sum(xs: number[]): number {\n  return xs.reduce((a: number, b: number) => a + b, 0);\n}\n',
};

function fileAt(files: readonly SourceFile[], p: string): string {
  const f = files.find((x) => x.path === p);
  if (!f) throw new Error(`no ${p} in ${files.map((x) => x.path).join(', ')}`);
  return f.content;
}

describe('transpileTypeScript', () => {
  it('emits .mjs beside each .ts file and renames the module and test paths', () => {
    const test: SourceFile = {
      path: 'test/sum.test.ts',
      content: "import { sum } from '../src/sum.js';\nconst n: number = sum([1]);\n",
    };
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
    const esm = transpileTypeScript({
      files: [{ path: 'package.json', content: '{"type":"module"}' }, sum],
      modulePath: 'src/sum.ts',
      testPaths: [],
    });
    expect(esm.kind === 'ok' && esm.modulePath).toBe('src/sum.mjs');
  });

  it('emits ES modules for a vitest job even where package.json means CommonJS (vitest cannot be required)', () => {
    const pkg: SourceFile = { path: 'package.json', content: '{"name":"x"}' };
    const test: SourceFile = {
      path: 'src/sum.test.ts',
      content:
        "import { expect, it } from 'vitest';\nimport { sum } from './sum';\nit('sums', () => expect(sum([1])).toBe(1));\n",
    };
    const out = transpileTypeScript({
      files: [pkg, sum, test],
      modulePath: 'src/sum.ts',
      testPaths: ['src/sum.test.ts'],
    });
    if (out.kind !== 'ok') throw new Error(out.message);
    expect(out.modulePath).toBe('src/sum.mjs');
    expect(out.testPaths).toEqual(['src/sum.test.mjs']);
    expect(fileAt(out.files, 'src/sum.test.mjs')).toMatch(/^import \{ expect, it \} from "vitest";$/m);
  });

  it('names the exports of CommonJS output so that ES module tests can import them by name', () => {
    const out = transpileTypeScript({
      files: [{ path: 'package.json', content: '{}' }, sum],
      modulePath: 'src/sum.ts',
      testPaths: [],
    });
    if (out.kind !== 'ok') throw new Error(out.message);
    expect(fileAt(out.files, 'src/sum.cjs')).toMatch(/0 && \(module\.exports = \{\s*sum\s*\}\);/);
  });

  it('rewrites JavaScript tests that import the TypeScript module', () => {
    const test: SourceFile = { path: 'src/sum.test.mjs', content: "import { sum } from './sum.ts';\n" };
    const out = transpileTypeScript({ files: [sum, test], modulePath: 'src/sum.ts', testPaths: ['src/sum.test.mjs'] });
    if (out.kind !== 'ok') throw new Error(out.message);
    expect(fileAt(out.files, 'src/sum.test.mjs')).toContain("'./sum.mjs'");
  });

  it('reports a syntax error with file:line:column', () => {
    const broken: SourceFile = {
      path: 'src/broken.ts',
      content: 'export function f(): number {\n  return (1 + ;\n}\n',
    };
    const out = transpileTypeScript({ files: [broken], modulePath: 'src/broken.ts', testPaths: [] });
    expect(out.kind).toBe('error');
    expect(out.kind === 'error' && out.message).toMatch(/^TypeScript syntax error in src\/broken\.ts:2:\d+: /);
  });

  it('ends each emitted file in an inline source map holding the TypeScript source', async () => {
    const { readSourceMap } = await sourceMapModule;
    const out = transpileTypeScript({ files: [sum], modulePath: 'src/sum.ts', testPaths: [] });
    if (out.kind !== 'ok') throw new Error(out.message);
    const map = readSourceMap(fileAt(out.files, 'src/sum.mjs'));
    // Named relative to the emitted file, which sits in the same folder.
    expect(map?.sources).toEqual(['sum.ts']);
    expect(map?.sourcesContent).toEqual([sum.content]);
  });
});

describe('source map lines (sandbox/node/sourceMap.mjs)', () => {
  it('decodes base64 VLQ fields, negative and multi-digit ones included', async () => {
    const { decodeVlq } = await sourceMapModule;
    expect(decodeVlq('AAAA')).toEqual([0, 0, 0, 0]);
    expect(decodeVlq('AACO')).toEqual([0, 0, 1, 7]);
    expect(decodeVlq('D')).toEqual([-1]);
    expect(decodeVlq('gBAAgB')).toEqual([16, 0, 0, 16]);
    expect(decodeVlq('2HAAqH')).toEqual([123, 0, 0, 117]);
  });

  it.each(['esm', 'cjs'] as const)(
    'maps a line of the emitted %s back to the TypeScript line and text',
    async (format) => {
      const { readSourceMap, lineMapper } = await sourceMapModule;
      const pkg: SourceFile[] = format === 'cjs' ? [{ path: 'package.json', content: '{}' }] : [];
      const out = transpileTypeScript({
        files: [...pkg, { path: 'lib/slowSum.ts', content: slowSumTs }],
        modulePath: 'lib/slowSum.ts',
        testPaths: [],
      });
      if (out.kind !== 'ok') throw new Error(out.message);
      const code = fileAt(out.files, out.modulePath);
      const mapper = lineMapper(readSourceMap(code));
      const generated = code.split('\n');
      const hot = generated.findIndex((l) => l.includes('j <= i')) + 1;
      const tsLine = slowSumTs.split('\n').findIndex((l) => l.includes('j <= i')) + 1;
      expect(hot).not.toBe(tsLine);
      expect(mapper?.original(hot)).toEqual({ line: tsLine, text: slowSumTs.split('\n')[tsLine - 1] });
      const returnLine = generated.findIndex((l) => l.trim() === 'return total;') + 1;
      expect(mapper?.original(returnLine)?.text.trim()).toBe('return total;');
      if (format === 'cjs') {
        // Module glue the compiler added has no line in the TypeScript source.
        expect(mapper?.original(generated.findIndex((l) => l.includes('__defProp')) + 1)).toBeUndefined();
      }
    },
  );

  it('maps nothing for code without a source map', async () => {
    const { readSourceMap, lineMapper } = await sourceMapModule;
    expect(lineMapper(readSourceMap('export const x = 1;\n'))).toBeUndefined();
  });
});
