import { describe, expect, it } from 'vitest';
import { buildCandidateModule } from '../../../src/core/candidateModule';
import { gatherContext } from '../../../src/core/functionContext';
import { locateFunction } from '../../../src/core/functionLocator';
import { spliceFunction } from '../../../src/core/spliceFunction';
import { javascriptModule, typescriptModule } from '../../../src/languages/node/nodeModules';

const MODULE = [
  "import { readFileSync } from 'node:fs';",
  '',
  'const LIMIT = 10;',
  '',
  'export class Cache<K> extends Base {',
  '  // Hot path.',
  '  @memo()',
  '  public async get(key: K): Promise<number> {',
  '    return `${key}`.length + LIMIT;',
  '  }',
  '}',
  '',
].join('\n');

describe('TypeScript: locate and splice through the language module', () => {
  it('finds a decorated async class method and replaces only it, re-indented', () => {
    const location = locateFunction(typescriptModule, MODULE, 'Cache.get');
    if (!location) throw new Error('not found');
    expect(location.indent).toBe('  ');
    const spliced = spliceFunction(
      MODULE,
      location,
      '@memo()\npublic async get(key: K): Promise<number> {\n  return LIMIT;\n}',
    );
    expect(spliced).toBe(MODULE.replace('return `${key}`.length + LIMIT;', 'return LIMIT;'));
  });

  it('shows the model the imports, the constants the method uses, and the class header', () => {
    const context = gatherContext(typescriptModule, MODULE, 'Cache.get');
    expect(context?.imports).toEqual(["import { readFileSync } from 'node:fs';"]);
    expect(context?.helpers).toEqual(['const LIMIT = 10;']);
    expect(context?.classHeader).toBe('export class Cache<K> extends Base {');
  });

  it('carries type declarations with a TypeScript candidate, but not with a JavaScript one', () => {
    const block =
      'type Key = string;\n\nfunction len(k: Key): number {\n  return k.length;\n}\n\nconsole.log(len("a"));\n';
    expect(typescriptModule.topLevelAdditions(block).map((a) => a.name)).toEqual(['Key', 'len']);
    expect(javascriptModule.topLevelAdditions(block).map((a) => a.name)).toEqual(['len']);
  });

  it('inserts a candidate helper above the top-level class that holds the method', () => {
    const built = buildCandidateModule(typescriptModule, MODULE, 'Cache.get', {
      code: 'public async get(key: K): Promise<number> {\n  return len(key);\n}',
      additions: typescriptModule.topLevelAdditions(
        'function len(k: unknown): number {\n  return String(k).length;\n}\n',
      ),
    });
    if (built.kind !== 'ok') throw new Error(built.reason);
    expect(built.moduleText).toContain(
      'const LIMIT = 10;\n\nfunction len(k: unknown): number {\n  return String(k).length;\n}\n\nexport class Cache<K>',
    );
  });
});

describe('JavaScript and TypeScript share one set of rules', () => {
  it('normalises comments and whitespace away, keeping template strings verbatim', () => {
    expect(javascriptModule.normalize('function f( a ) { /* c */ return `a  b` // x\n}')).toBe(
      'function f(a){return`a  b`}',
    );
  });

  it('labels each test file by its own ending (a JavaScript test of a TypeScript module stays JavaScript)', () => {
    expect(typescriptModule.fenceForPath('cache.test.mjs')).toBe('javascript');
    expect(javascriptModule.fenceForPath('cache.test.cts')).toBe('typescript');
    expect(typescriptModule.fenceForPath('test_cache.py')).toBeUndefined();
    expect(typescriptModule.fence).toBe('typescript');
  });

  it('asks for an exported generator, typed only in TypeScript', () => {
    expect(typescriptModule.inputGenerator.returnContract('f').join(' ')).toContain('(size: number): unknown[]');
    expect(javascriptModule.inputGenerator.returnContract('f').join(' ')).toContain('afterburner_inputs(size)`');
    expect(javascriptModule.inputGenerator.asTestFileCode('function afterburner_inputs(size) {}')).toBe(
      'export function afterburner_inputs(size) {}',
    );
  });

  it('knows jest/vitest/mocha naming for tests of a module', () => {
    const none = { globs: [], regexes: [], roots: [] };
    expect(javascriptModule.tests.judge('src/__tests__/cache.ts', none)).toEqual({ reason: 'in __tests__/' });
    expect(javascriptModule.tests.judge('src/x/__test__/cache.test.js', none)).toEqual({ reason: 'a .test file' });
    expect(typescriptModule.tests.judge('src/cache.spec.tsx', none)).toEqual({ reason: 'a .spec file' });
    expect(typescriptModule.tests.judge('test.js', none)).toEqual({ reason: "the project's test.js" });
    expect(typescriptModule.tests.judge('lib/test.js', none)).toBeUndefined();
    expect(typescriptModule.tests.judge('test/fixtures/input.js', none)).toBeUndefined();
    expect(typescriptModule.tests.judge('test/types.d.ts', none)).toBeUndefined();
    expect(typescriptModule.tests.namedAfter('src/__tests__/cache.ts', 'cache')).toBe(true);
    expect(typescriptModule.tests.namedAfter('QuickSort.test.js', 'quickSort')).toBe(true);
    expect(typescriptModule.tests.namedAfter('sorts/test/quick_sort.test.ts', 'quick_sort')).toBe(true);
    expect(typescriptModule.tests.namedAfter('src/other.test.ts', 'cache')).toBe(false);
  });
});
