import { describe, expect, it } from 'vitest';
import { languageOf } from '../../src/languages/registry';
import { extractCandidate } from '../../src/core/extractCode';
import { findInputGenerator } from '../../src/core/inputGenerator';
import { planGeneratorInsertion } from '../../src/core/inputGeneratorEdit';
import type { Language } from '../../src/core/sandboxTypes';

const GENERATOR_PY = 'def afterburner_inputs(size):\n    return (list(range(size)), 3)\n';

describe('finding an input generator before the run', () => {
  const job = (
    language: Language,
    files: Record<string, string>,
    testPaths: string[],
    modulePath = 'pkg/pairs.py',
  ) => ({
    language: languageOf(language),
    files: Object.entries(files).map(([path, content]) => ({ path, content })),
    testPaths,
    modulePath,
  });

  it('finds afterburner_inputs defined in a Python test file', () => {
    expect(
      findInputGenerator(
        job('python', { 'pkg/pairs.py': '', 'tests/test_pairs.py': 'import x\n\n' + GENERATOR_PY }, [
          'tests/test_pairs.py',
        ]),
      ),
    ).toEqual({ kind: 'tests', path: 'tests/test_pairs.py' });
  });

  it('finds afterburner_inputs.py beside the tests or beside the module', () => {
    expect(
      findInputGenerator(
        job('python', { 'pkg/pairs.py': '', 'tests/test_pairs.py': '', 'tests/afterburner_inputs.py': GENERATOR_PY }, [
          'tests/test_pairs.py',
        ]),
      ),
    ).toEqual({ kind: 'file', path: 'tests/afterburner_inputs.py' });
    expect(
      findInputGenerator(
        job('python', { 'pkg/pairs.py': '', 'tests/test_pairs.py': '', 'pkg/afterburner_inputs.py': GENERATOR_PY }, [
          'tests/test_pairs.py',
        ]),
      ),
    ).toEqual({ kind: 'file', path: 'pkg/afterburner_inputs.py' });
  });

  it('does not count a mention, a call or a nested definition as a generator', () => {
    const mentions =
      '# afterburner_inputs could go here\nx = afterburner_inputs\nclass T:\n    def afterburner_inputs(self, size):\n        pass\n';
    expect(
      findInputGenerator(
        job(
          'python',
          { 'pkg/pairs.py': '', 'test_pairs.py': mentions, 'elsewhere/afterburner_inputs.py': GENERATOR_PY },
          ['test_pairs.py'],
        ),
      ),
    ).toEqual({ kind: 'none' });
  });

  it('finds an exported generator in a JavaScript or TypeScript test, or a file beside the tests', () => {
    const named = 'export function afterburner_inputs(size: number) { return [[size]]; }';
    expect(findInputGenerator(job('typescript', { 'u.ts': '', 'u.test.ts': named }, ['u.test.ts'], 'u.ts'))).toEqual({
      kind: 'tests',
      path: 'u.test.ts',
    });
    const arrow = 'export const afterburner_inputs = (size) => [[size]];';
    expect(
      findInputGenerator(job('javascript', { 'u.mjs': '', 'u.test.mjs': arrow }, ['u.test.mjs'], 'u.mjs')).kind,
    ).toBe('tests');
    const commonJs = 'module.exports = { afterburner_inputs };';
    expect(
      findInputGenerator(job('javascript', { 'u.cjs': '', 'u.test.cjs': commonJs }, ['u.test.cjs'], 'u.cjs')).kind,
    ).toBe('tests');
    expect(
      findInputGenerator(
        job(
          'javascript',
          { 'u.mjs': '', 'test/u.test.mjs': '', 'test/afterburner_inputs.mjs': 'export default () => []' },
          ['test/u.test.mjs'],
          'u.mjs',
        ),
      ),
    ).toEqual({ kind: 'file', path: 'test/afterburner_inputs.mjs' });
  });

  it('does not take an unexported JavaScript generator, which the harness cannot see', () => {
    expect(
      findInputGenerator(
        job(
          'javascript',
          { 'u.mjs': '', 'u.test.mjs': 'function afterburner_inputs(size) { return [size]; }' },
          ['u.test.mjs'],
          'u.mjs',
        ),
      ),
    ).toEqual({ kind: 'none' });
  });
});

function candidate(language: Language, block: string) {
  const extraction = extractCandidate(languageOf(language), '```\n' + block + '\n```', 'afterburner_inputs');
  if (extraction.kind !== 'ok') throw new Error(extraction.reason);
  return extraction.candidate;
}

describe('adding a proposed generator to the test file', () => {
  const tests =
    'import pytest\nfrom pairs import count_pairs\n\n\ndef test_empty():\n    assert count_pairs([], 3) == 0\n';

  it('puts new imports under the last import and the generator at the end, two blank lines apart', () => {
    const plan = planGeneratorInsertion(
      languageOf('python'),
      tests,
      candidate(
        'python',
        'import random\nimport pytest\n\n\ndef afterburner_inputs(size):\n    rng = random.Random(size)\n    return ([rng.randint(0, 9) for _ in range(size)], 9)',
      ),
    );
    expect(plan.result).toBe(
      'import pytest\nfrom pairs import count_pairs\nimport random\n\n\ndef test_empty():\n    assert count_pairs([], 3) == 0\n\n\n' +
        'def afterburner_inputs(size):\n    rng = random.Random(size)\n    return ([rng.randint(0, 9) for _ in range(size)], 9)\n',
    );
    expect(plan.insertions).toHaveLength(2);
  });

  it('keeps helpers the generator needs and skips the ones the file already has', () => {
    const withHelper = tests + '\n\ndef _values(n):\n    return list(range(n))\n';
    const plan = planGeneratorInsertion(
      languageOf('python'),
      withHelper,
      candidate(
        'python',
        'SEED = 7\n\ndef _values(n):\n    return list(range(n))\n\ndef afterburner_inputs(size):\n    return (_values(size), SEED)',
      ),
    );
    expect(plan.result.match(/def _values/g)).toHaveLength(1);
    expect(plan.result).toContain('SEED = 7\n\n\ndef afterburner_inputs(size):');
  });

  it('exports the generator in a TypeScript test and inserts after a multi-line import', () => {
    const ts =
      "import { test } from 'node:test';\nimport {\n  uniqueSorted,\n} from './uniqueSorted';\n\ntest('x', () => {});";
    const plan = planGeneratorInsertion(
      languageOf('typescript'),
      ts,
      candidate(
        'typescript',
        "import assert from 'node:assert';\nfunction afterburner_inputs(size: number): unknown[] {\n  return [Array.from({ length: size }, (_, i) => i % 97)];\n}",
      ),
    );
    expect(plan.result).toBe(
      "import { test } from 'node:test';\nimport {\n  uniqueSorted,\n} from './uniqueSorted';\nimport assert from 'node:assert';\n\ntest('x', () => {});\n\n" +
        'export function afterburner_inputs(size: number): unknown[] {\n  return [Array.from({ length: size }, (_, i) => i % 97)];\n}\n',
    );
  });

  it('keeps Windows line endings', () => {
    const plan = planGeneratorInsertion(
      languageOf('python'),
      tests.replace(/\n/g, '\r\n'),
      candidate('python', GENERATOR_PY),
    );
    expect(plan.result).not.toMatch(/[^\r]\n/);
  });
});
