/**
 * The benchmark input generator in Python: `def afterburner_inputs(size):` in a test module or in
 * `afterburner_inputs.py` beside the tests or the module (sandbox/python/README.md "Sizes").
 */
import type { InputGeneratorSupport } from '../../core/languageSupport';
import { INPUT_GENERATOR_NAME } from '../../core/inputGenerator';

const DEFINITION = /^(?:async\s+)?def\s+afterburner_inputs\s*\(/m;

export const pythonInputGenerator: InputGeneratorSupport = {
  defines: (testText) => DEFINITION.test(testText),
  sideFileNames: [INPUT_GENERATOR_NAME + '.py'],
  besideModule: true,
  returnContract(target) {
    const method = target.includes('.');
    return [
      `Write it in Python as \`def ${INPUT_GENERATOR_NAME}(size):\`. It returns a TUPLE of the positional arguments of one call`,
      '(a one-argument function still gets a tuple: `return (values,)`), or a list of such tuples for several calls.',
      ...(method ? [`${target} is a method: the first element of each tuple is the instance to call it on.`] : []),
    ];
  },
  asTestFileCode: (code) => code,
  importStart: /^(?:import\s|from\s+\S+\s+import\s)/,
  importEndsAt(lines, first, last) {
    const upTo = lines.slice(first, last + 1).join('\n');
    return (upTo.match(/\(/g) ?? []).length <= (upTo.match(/\)/g) ?? []).length && !/\\\s*$/.test(lines[last] ?? '');
  },
  // PEP 8: two blank lines between top-level definitions.
  blankLinesBetweenDefinitions: 2,
};
