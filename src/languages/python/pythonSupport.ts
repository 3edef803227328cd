/** What the core knows of Python (the LanguageSupport port). Pure: no Node module, no VS Code. */
import type { LanguageSupport } from '../../core/languageSupport';
import { normalizeCode, type LexicalRules } from '../common/codeNormalize';
import { pythonAdditions } from './pythonAdditions';
import { pythonProgram, pythonSolutionOf } from './pythonEvalProgram';
import { pythonInputGenerator } from './pythonInputGenerator';
import { scanPython } from './pythonScanner';

const LEXICAL_RULES: LexicalRules = {
  backtickStrings: false,
  tripleQuotedStrings: true,
  lineComment: '#',
  blockComments: false,
  significantIndentation: true,
};

export const pythonSupport: LanguageSupport = {
  id: 'python',
  displayName: 'Python',
  fence: 'python',
  extensions: ['.py'],
  fenceForPath: (path) => (path.endsWith('.py') ? 'python' : undefined),
  scan: scanPython,
  normalize: (code) => normalizeCode(LEXICAL_RULES, code),
  topLevelAdditions: pythonAdditions,
  syntax: {
    commentLine: /^\s*#/,
    isImportLine: (line) => /^(?:import|from)\s+\S/.test(line),
    topLevelAssignment: /^([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)/,
  },
  inputGenerator: pythonInputGenerator,
  evalProgram: { program: pythonProgram, solutionOf: pythonSolutionOf },
};
