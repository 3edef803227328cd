import { describe, expect, it } from 'vitest';
import { buildCandidateModule } from '../../../src/core/candidateModule';
import { gatherContext } from '../../../src/core/functionContext';
import { locateFunction } from '../../../src/core/functionLocator';
import { spliceFunction } from '../../../src/core/spliceFunction';
import { pythonModule } from '../../../src/languages/python/pythonModule';

const python = pythonModule;

describe('Python: locate and splice through the language module', () => {
  const module = [
    'import math',
    'from functools import lru_cache',
    '',
    'LIMIT = 10',
    '',
    '',
    'class Grid:',
    '    class Cell:',
    '        @lru_cache(maxsize=None)',
    '        def weight(self, n):',
    '            return sum(math.sqrt(i) for i in range(n))',
    '',
    '    def size(self):',
    '        return LIMIT',
    '',
  ].join('\n');

  it('finds a decorated method of a nested class by its qualified name and replaces only it', () => {
    const location = locateFunction(python, module, 'Grid.Cell.weight');
    if (!location) throw new Error('not found');
    expect(location.className).toBe('Cell');
    expect(location.indent).toBe('        ');
    const spliced = spliceFunction(module, location, '@lru_cache(maxsize=None)\ndef weight(self, n):\n    return n');
    expect(spliced).toBe(module.replace('return sum(math.sqrt(i) for i in range(n))', 'return n'));
  });

  it('shows the model the imports, the constants the function uses, and the class header', () => {
    const context = gatherContext(python, module, 'Grid.size');
    expect(context?.imports).toEqual(['import math', 'from functools import lru_cache']);
    expect(context?.helpers).toEqual(['LIMIT = 10']);
    expect(context?.classHeader).toBe('class Grid:');
  });

  it('carries a new import and helper from a candidate into the module, above the top-level class', () => {
    const additions = python.topLevelAdditions(
      'import bisect\n\n\ndef _cap(n):\n    return min(n, LIMIT)\n\n\nprint(_cap(3))\n',
    );
    expect(additions.map((a) => `${a.kind}:${a.name ?? a.code}`)).toEqual(['import:import bisect', 'definition:_cap']);
    const built = buildCandidateModule(python, module, 'Grid.size', {
      code: 'def size(self):\n    return _cap(LIMIT)',
      additions,
    });
    if (built.kind !== 'ok') throw new Error(built.reason);
    expect(built.moduleText).toContain(
      'LIMIT = 10\n\n\nimport bisect\n\ndef _cap(n):\n    return min(n, LIMIT)\n\nclass Grid:',
    );
  });

  it('normalises comments and blank lines away but keeps indentation and strings', () => {
    expect(python.normalize('def f():\n    # note\n\n    return "a  # b"  # why\n')).toBe(
      'def f():\n    return "a  # b"',
    );
    expect(python.normalize('if a:\n    x()\n    y()')).not.toBe(python.normalize('if a:\n    x()\ny()'));
  });

  it('labels .py files for prompts and nothing else', () => {
    expect(python.fenceForPath('tests/test_grid.py')).toBe('python');
    expect(python.fenceForPath('grid.test.ts')).toBeUndefined();
  });

  it('knows pytest and unittest naming for tests of a module', () => {
    const none = { globs: [], regexes: [], roots: [] };
    expect(python.tests.judge('tests/test_grid.py', none)).toEqual({ reason: 'a test module' });
    expect(python.tests.judge('pkg/tests/tests_grid.py', none)).toEqual({ reason: 'in tests/' });
    expect(python.tests.judge('tests/conftest.py', none)).toBeUndefined();
    expect(python.tests.judge('tests/helpers.py', none)).toBeUndefined();
    expect(python.tests.judge('grid.py', none)).toBeUndefined();
    expect(python.tests.namedAfter('tests/test_grid.py', 'grid')).toBe(true);
    expect(python.tests.namedAfter('grid_test.py', 'grid')).toBe(true);
    expect(python.tests.namedAfter('tests/test_gridlines.py', 'grid')).toBe(false);
  });
});
