/**
 * What the core knows of JavaScript and TypeScript (the LanguageSupport port): one scanner and one
 * set of rules, two languages that differ in name, file endings and TypeScript's type declarations.
 * Pure: no Node module, no VS Code.
 */
import type { LanguageSupport } from '../../core/languageSupport';
import { normalizeCode, type LexicalRules } from '../common/codeNormalize';
import { javascriptProgram, javascriptSolutionOf } from './javascriptEvalProgram';
import { scriptAdditions } from './scriptAdditions';
import { scriptInputGenerator } from './scriptInputGenerator';
import { scanScript } from './scriptScanner';

const LEXICAL_RULES: LexicalRules = {
  backtickStrings: true,
  tripleQuotedStrings: false,
  lineComment: '//',
  blockComments: true,
  significantIndentation: false,
};

export const JAVASCRIPT_EXTENSIONS = ['.js', '.mjs', '.cjs', '.jsx'];
export const TYPESCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx'];

function fenceForScriptPath(path: string): string | undefined {
  if (/\.[cm]?ts$/.test(path)) return 'typescript';
  if (/\.[cm]?js$/.test(path)) return 'javascript';
  return undefined;
}

/** `typed`: TypeScript (type declarations travel with a candidate; the generator has a typed signature). */
function scriptSupport(
  id: string,
  displayName: string,
  extensions: readonly string[],
  typed: boolean,
): LanguageSupport {
  return {
    id,
    displayName,
    fence: id,
    extensions,
    fenceForPath: fenceForScriptPath,
    scan: scanScript,
    normalize: (code) => normalizeCode(LEXICAL_RULES, code),
    topLevelAdditions: (text) => scriptAdditions(text, typed),
    syntax: {
      commentLine: /^\s*(\/\/|\/\*|\*)/,
      isImportLine: (line) => /^import[\s{*'"]/.test(line) || /^(?:const|let|var)\s+.*=\s*require\(/.test(line),
      topLevelAssignment: /^(?:export\s+)?(?:const|let|var)\s+([\w$]+)\s*(?::[^=]*)?=(?!=)/,
      methodAlone: { before: 'class MethodAlone {\n', after: '\n}' },
    },
    inputGenerator: scriptInputGenerator(displayName, typed),
    evalProgram: { program: javascriptProgram, solutionOf: javascriptSolutionOf },
  };
}

export const javascriptSupport = scriptSupport('javascript', 'JavaScript', JAVASCRIPT_EXTENSIONS, false);
export const typescriptSupport = scriptSupport('typescript', 'TypeScript', TYPESCRIPT_EXTENSIONS, true);
