/**
 * An eval problem as a JavaScript program: the code becomes the ES module `solution.mjs` (with a
 * named export of the entry point when it has none), and the problem's tests become a node:test file.
 * TypeScript problems run the same way, as JavaScript.
 */
import type { EvalProblem, ProblemTests } from '../../core/evalTypes';
import type { EvalProgram } from '../../core/languageSupport';

export const JS_MODULE = 'solution.mjs';
export const JS_TESTS = 'solution.test.mjs';

/** The solution without the export line `javascriptProgram` put after it (see EvalProgramSupport). */
export function javascriptSolutionOf(problem: EvalProblem, moduleText: string): string {
  const suffix = `\n\nexport { ${problem.entryPoint.split('.')[0] as string} };\n`;
  return moduleText.endsWith(suffix) ? `${moduleText.slice(0, -suffix.length)}\n` : moduleText;
}

export function javascriptProgram(problem: EvalProblem, code: string): EvalProgram {
  const tests: ProblemTests = problem.tests;
  const exportName = problem.entryPoint.split('.')[0] as string;
  // The harness wraps a named export of an ES module; plain function code gets one.
  const hasExport = /(^|\n)\s*export\s/.test(code);
  const moduleText = hasExport ? code : `${code.trimEnd()}\n\nexport { ${exportName} };\n`;
  let testText: string;
  if (tests.kind === 'args') testText = javascriptArgsTests(problem.entryPoint, tests.cases);
  else if (tests.kind === 'code') testText = tests.code;
  else testText = javascriptStdioUnsupported();
  if (problem.inputsGenerator) {
    // The Node harness takes the generator from the test file's exports.
    const generator = problem.inputsGenerator.trim().replace(/^(async\s+)?function\s+afterburner_inputs/m, 'export $&');
    testText += `\n\n${generator}\n`;
  }
  return {
    // The harness runs JavaScript; a TypeScript problem's code is run as it is, as JavaScript.
    language: 'javascript',
    files: [
      { path: JS_MODULE, content: moduleText },
      { path: JS_TESTS, content: testText },
    ],
    modulePath: JS_MODULE,
    testPath: JS_TESTS,
  };
}

function javascriptCallExpression(entryPoint: string): string {
  const dot = entryPoint.indexOf('.');
  if (dot < 0) return `mod[${JSON.stringify(entryPoint)}]`;
  const cls = JSON.stringify(entryPoint.slice(0, dot));
  const method = JSON.stringify(entryPoint.slice(dot + 1));
  return `((instance) => instance[${method}].bind(instance))(new mod[${cls}]())`;
}

function javascriptArgsTests(
  entryPoint: string,
  cases: readonly { args: readonly unknown[]; expected: unknown }[],
): string {
  return `import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mod from './${JS_MODULE}';

const CASES = ${JSON.stringify(cases)};

// JSON has one number type: compare numbers with a small tolerance, everything else structurally.
function same(got, expected) {
  if (typeof got === 'number' && typeof expected === 'number') {
    return got === expected || Math.abs(got - expected) <= 1e-9 + 1e-6 * Math.abs(expected);
  }
  if (Array.isArray(got) && Array.isArray(expected)) {
    return got.length === expected.length && got.every((g, i) => same(g, expected[i]));
  }
  if (got && expected && typeof got === 'object' && typeof expected === 'object') {
    const keys = Object.keys(expected);
    return Object.keys(got).length === keys.length && keys.every((k) => same(got[k], expected[k]));
  }
  return Object.is(got, expected) || (got === undefined && expected === null);
}

CASES.forEach((c, i) => {
  test(\`case \${i + 1}\`, () => {
    const got = ${javascriptCallExpression(entryPoint)}(...structuredClone(c.args));
    assert.ok(same(got, c.expected), \`case \${i + 1}: expected \${JSON.stringify(c.expected)}, got \${JSON.stringify(got)}\`);
  });
});
`;
}

function javascriptStdioUnsupported(): string {
  return `import { test } from 'node:test';
test('stdin/stdout problems', () => {
  throw new Error('stdin/stdout test cases are supported for Python problems only; give JavaScript problems tests: [{args, expected}] or test_code');
});
`;
}
