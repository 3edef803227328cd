/**
 * The messages that ask the model for an input generator `afterburner_inputs(size)`: a function
 * beside the tests that builds the arguments of one call whose work grows with `size`, so the
 * harness can measure the target at growing sizes and fit its complexity class. The contract in
 * the prompt is the harness's (sandbox/python/README.md "Sizes", sandbox/node/replayPhase.mjs).
 */
import type { ChatMessage } from './modelTypes';
import type { LanguageSupport } from './languageSupport';
import { INPUT_GENERATOR_NAME } from './inputGenerator';

export interface InputGeneratorRequest {
  readonly language: LanguageSupport;
  /** `name` or `Class.method`. */
  readonly target: string;
  /** The target function's source. */
  readonly functionCode: string;
  readonly modulePath: string;
  readonly testPath: string;
  readonly testCode: string;
  /** The sizes it will be called with (from the settings). */
  readonly sizes: readonly number[];
}

const MAX_TEST_CHARS = 12_000;
const MAX_FUNCTION_CHARS = 12_000;

export function inputGeneratorMessages(request: InputGeneratorRequest): ChatMessage[] {
  return [
    { role: 'system', content: systemText(request.language) },
    { role: 'user', content: userText(request) },
  ];
}

function systemText(language: LanguageSupport): string {
  return [
    `You write benchmark input generators for ${language.displayName} functions.`,
    `A generator is a function ${INPUT_GENERATOR_NAME}(size) that builds the arguments of one call to the function under test,`,
    'so that the work the call does grows with size. It is measured at several sizes to estimate the empirical complexity.',
    'Rules:',
    '- Produce inputs the function accepts and the tests consider valid: same types, shapes and value ranges as in the tests.',
    '- size is the natural size of the input (e.g. the length of a list or string, the number of nodes); the inputs should be typical, not a best case.',
    '- Be deterministic: use a random generator seeded with a constant (or with size), never the clock.',
    '- Building the inputs must be fast (linear in size) and must not call the function under test.',
    '- No file, network or console I/O. Only the standard library and the modules the tests already import.',
    `- Reply with ONE fenced code block holding ${INPUT_GENERATOR_NAME} and the imports it needs; no tests, no example calls.`,
  ].join('\n');
}

function userText(request: InputGeneratorRequest): string {
  const fence = request.language.fence;
  const sizes = request.sizes.length > 0 ? request.sizes.join(', ') : '100, 1000, 10000';
  return [
    `The function under test is \`${request.target}\` in \`${request.modulePath}\`:`,
    '',
    '```' + fence,
    clip(request.functionCode, MAX_FUNCTION_CHARS),
    '```',
    '',
    `Its tests, \`${request.testPath}\`, where ${INPUT_GENERATOR_NAME} will be added:`,
    '',
    '```' + fence,
    clip(request.testCode, MAX_TEST_CHARS),
    '```',
    '',
    ...request.language.inputGenerator.returnContract(request.target),
    `It will be called with size = ${sizes}; each call's inputs must be ready within a second at the largest size.`,
    `Reply with the code block for ${INPUT_GENERATOR_NAME} only.`,
  ].join('\n');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters not shown)`;
}
