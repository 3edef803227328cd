import { describe, expect, it } from 'vitest';
import { languageOf } from '../../src/languages/registry';
import { locateFunction } from '../../src/core/functionLocator';
import { dedent, reindent, spliceFunction } from '../../src/core/spliceFunction';

describe('spliceFunction', () => {
  it('re-indents a column-0 candidate into a class and keeps the surroundings', () => {
    const text =
      'class A:\n    x = 1\n\n    @staticmethod\n    def m(a):\n        return a\n\n    def n(self):\n        pass\n';
    const loc = locateFunction(languageOf('python'), text, 'A.m');
    if (!loc) throw new Error('not found');
    const out = spliceFunction(text, loc, '@staticmethod\ndef m(a):\n    if a:\n\n        return a * 2\n    return 0');
    expect(out).toBe(
      'class A:\n    x = 1\n\n    @staticmethod\n    def m(a):\n        if a:\n\n            return a * 2\n        return 0\n\n    def n(self):\n        pass\n',
    );
  });

  it('dedents an over-indented candidate into a top-level function', () => {
    const text = 'const a = 1;\nfunction f(x) {\n  return x;\n}\nconst b = 2;\n';
    const loc = locateFunction(languageOf('javascript'), text, 'f');
    if (!loc) throw new Error('not found');
    expect(spliceFunction(text, loc, '    function f(x) {\n      return x + 1;\n    }\n')).toBe(
      'const a = 1;\nfunction f(x) {\n  return x + 1;\n}\nconst b = 2;\n',
    );
  });

  it('keeps CRLF line endings of the module', () => {
    const text = 'def f():\r\n    return 1\r\n\r\ndef g():\r\n    return 2\r\n';
    const loc = locateFunction(languageOf('python'), text, 'f');
    if (!loc) throw new Error('not found');
    expect(spliceFunction(text, loc, 'def f():\n    return 3')).toBe(
      'def f():\r\n    return 3\r\n\r\ndef g():\r\n    return 2\r\n',
    );
  });

  it('does not re-indent lines inside a multi-line string relative to the first', () => {
    expect(reindent('def f():\n    return """\nx"""', '  ')).toBe('def f():\n      return """\n  x"""');
  });

  it('dedent keeps tabs distinct from spaces', () => {
    expect(dedent('\tdef f():\n\t\treturn 1')).toBe('def f():\n\treturn 1');
  });
});
