/**
 * The benchmark input generator in JavaScript/TypeScript: `afterburner_inputs` exported from a test
 * module (named or on `default`), or from `afterburner_inputs.*` beside the tests
 * (sandbox/node/replayPhase.mjs).
 */
import type { InputGeneratorSupport } from '../../core/languageSupport';
import { INPUT_GENERATOR_NAME } from '../../core/inputGenerator';

const EXPORT = new RegExp(
  [
    String.raw`\bexport\s+(?:async\s+)?function\s*\*?\s*afterburner_inputs\b`,
    String.raw`\bexport\s+(?:const|let|var)\s+afterburner_inputs\b`,
    String.raw`\bexport\s*\{[^}]*\bafterburner_inputs\b[^}]*\}`,
    String.raw`\bexports\.afterburner_inputs\s*=`,
    String.raw`\bmodule\.exports\s*=\s*\{[^}]*\bafterburner_inputs\b`,
  ].join('|'),
);
const SIDE_FILES = ['.mjs', '.cjs', '.js', '.ts', '.mts', '.cts'].map((ext) => INPUT_GENERATOR_NAME + ext);

/** `displayName` names the language in the prompt; `typed` asks for a TypeScript signature. */
export function scriptInputGenerator(displayName: string, typed: boolean): InputGeneratorSupport {
  return {
    defines: (testText) => EXPORT.test(testText),
    sideFileNames: SIDE_FILES,
    besideModule: false,
    returnContract() {
      const signature = typed
        ? `export function ${INPUT_GENERATOR_NAME}(size: number): unknown[]`
        : `export function ${INPUT_GENERATOR_NAME}(size)`;
      return [
        `Write it in ${displayName} as \`${signature}\`, exported from the test file. It returns an ARRAY of the arguments of one call`,
        '(a function taking one array still gets it wrapped: `return [values]`). Values must survive JSON (no functions, no class instances).',
      ];
    },
    // The Node harness takes the generator from the test module's exports.
    asTestFileCode: (code) => (/^export\b/.test(code) ? code : `export ${code}`),
    importStart: /^import[\s{*'"]|^(?:const|let|var)\s+[^=]+=\s*require\(/,
    importEndsAt: (lines, _first, last) => /['"`]\s*\)?\s*;?\s*$/.test(lines[last] ?? ''),
    blankLinesBetweenDefinitions: 1,
  };
}
