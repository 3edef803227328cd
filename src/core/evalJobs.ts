/**
 * Turns an eval problem plus one piece of code (a reference solution or an answer) into a sandbox
 * job: the code becomes the module under test (`solution.py` / `solution.mjs`), and the problem's
 * tests become a test file in the language's own style (Python unittest, JavaScript node:test), so
 * the harness runs, records and measures it like any user function.
 */
import type { EvalProblem, ProblemTests, StdioCase } from './evalTypes';
import type { HarnessMode, Limits, MeasureOptions, SandboxJob, SourceFile } from './sandboxTypes';

export const PYTHON_MODULE = 'solution.py';
export const PYTHON_TESTS = 'test_solution.py';
export const JS_MODULE = 'solution.mjs';
export const JS_TESTS = 'solution.test.mjs';

/** The marker of the Venus runner scripts where the solution code goes. */
export const VENUS_PLACEHOLDER = '==Code Submission==';

/**
 * What LeetCode-style solutions (Venus, Mercury) take for granted: the names the judge's Python
 * environment imports before the submission.
 */
const LEETCODE_PYTHON_PRELUDE = [
  'from typing import *',
  'import collections, heapq, bisect, itertools, functools, math, string, re, operator',
  'from collections import deque, defaultdict, Counter, OrderedDict',
  'from heapq import heappush, heappop, heapify, heappushpop, nlargest, nsmallest',
  'from bisect import bisect_left, bisect_right, insort',
  'from itertools import accumulate, permutations, combinations, product, zip_longest, chain, groupby',
  'from functools import lru_cache, cache, reduce, cmp_to_key',
  'from math import inf, gcd, sqrt, floor, ceil, comb, factorial, log2',
].join('\n');

export interface JobOptions {
  readonly mode: HarnessMode;
  readonly limits: Limits;
  readonly measure?: MeasureOptions;
}

export function problemJob(problem: EvalProblem, code: string, options: JobOptions): SandboxJob {
  const files = problem.language === 'python' ? pythonFiles(problem, code) : javascriptFiles(problem, code);
  const measure: MeasureOptions | undefined =
    problem.inputsGenerator && problem.sizes && problem.sizes.length > 0
      ? { ...options.measure, sizes: problem.sizes }
      : options.measure;
  return {
    language: problem.language === 'typescript' ? 'javascript' : problem.language,
    files: files.files,
    modulePath: files.modulePath,
    testPaths: [files.testPath],
    target: problem.entryPoint,
    mode: options.mode,
    limits: options.limits,
    ...(measure ? { measure } : {}),
  };
}

/**
 * The inverse of `problemJob` for the module under test: the solution code without what the job
 * put around it (the LeetCode prelude and the runner's helpers before it, or the export line after
 * it). The loop optimises the whole module; what we score and report is the solution as a user or
 * the model would write it, so that it compares equal to a reference it copies. Text that does not
 * carry the wrapper (the model rewrote it) comes back as it is: running it wrapped again is harmless.
 */
export function solutionCodeOf(problem: EvalProblem, moduleText: string): string {
  if (problem.language === 'python') {
    const tests = problem.tests;
    if (tests.kind === 'code') return moduleText;
    const before = tests.kind === 'stdio' ? splitRunner(tests.runner).before.trim() : '';
    const prefix = [LEETCODE_PYTHON_PRELUDE, before].filter((s) => s !== '').join('\n\n') + '\n\n';
    if (!moduleText.startsWith(prefix)) return moduleText;
    const body = moduleText.slice(prefix.length);
    // The stdio module ends with a newline of its own after the code.
    return tests.kind === 'stdio' && body.endsWith('\n') ? body.slice(0, -1) : body;
  }
  const suffix = `\n\nexport { ${problem.entryPoint.split('.')[0] as string} };\n`;
  return moduleText.endsWith(suffix) ? `${moduleText.slice(0, -suffix.length)}\n` : moduleText;
}

interface Files {
  readonly files: readonly SourceFile[];
  readonly modulePath: string;
  readonly testPath: string;
}

function pythonFiles(problem: EvalProblem, code: string): Files {
  const tests = problem.tests;
  let moduleText = code;
  let testText: string;
  if (tests.kind === 'stdio') {
    const { before, after } = splitRunner(tests.runner);
    // Helpers the runner defines before the placeholder (ListNode, TreeNode, …) belong with the code.
    moduleText = [LEETCODE_PYTHON_PRELUDE, before.trim(), code].filter((s) => s !== '').join('\n\n') + '\n';
    testText = pythonStdioTests(after, tests.evaluator, tests.cases);
  } else if (tests.kind === 'args') {
    moduleText = `${LEETCODE_PYTHON_PRELUDE}\n\n${code}`;
    testText = pythonArgsTests(problem.entryPoint, tests.cases);
  } else {
    testText = tests.code;
  }
  if (problem.inputsGenerator) testText += `\n\n${problem.inputsGenerator.trim()}\n`;
  return {
    files: [
      { path: PYTHON_MODULE, content: moduleText.endsWith('\n') ? moduleText : moduleText + '\n' },
      { path: PYTHON_TESTS, content: testText },
    ],
    modulePath: PYTHON_MODULE,
    testPath: PYTHON_TESTS,
  };
}

function splitRunner(runner: string | undefined): { before: string; after: string } {
  if (!runner || !runner.includes(VENUS_PLACEHOLDER)) return { before: '', after: runner ?? '' };
  const at = runner.indexOf(VENUS_PLACEHOLDER);
  return { before: runner.slice(0, at), after: runner.slice(at + VENUS_PLACEHOLDER.length) };
}

/** A JSON string literal is also a valid Python string literal (same escapes for what JSON emits). */
function pyString(text: string): string {
  return JSON.stringify(text);
}

function pythonCallExpression(entryPoint: string): string {
  const dot = entryPoint.indexOf('.');
  if (dot < 0) return `solution.${entryPoint}`;
  return `getattr(solution.${entryPoint.slice(0, dot)}(), ${pyString(entryPoint.slice(dot + 1))})`;
}

const PYTHON_SAME = `
def _same(got, expected):
    # JSON has no tuples and one number type: compare lists with tuples, floats with tolerance.
    if isinstance(got, bool) or isinstance(expected, bool):
        return got == expected
    if isinstance(got, (int, float)) and isinstance(expected, (int, float)):
        return math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(got, (list, tuple)) and isinstance(expected, (list, tuple)):
        return len(got) == len(expected) and all(_same(a, b) for a, b in zip(got, expected))
    if isinstance(got, dict) and isinstance(expected, dict):
        return got.keys() == expected.keys() and all(_same(got[k], expected[k]) for k in got)
    return got == expected
`;

function pythonArgsTests(
  entryPoint: string,
  cases: readonly { args: readonly unknown[]; expected: unknown }[],
): string {
  return `import copy
import json
import math
import unittest

import solution

CASES = json.loads(${pyString(JSON.stringify(cases))})
${PYTHON_SAME}

class TestSolution(unittest.TestCase):
    pass


def _make(index, case):
    def test(self):
        got = ${pythonCallExpression(entryPoint)}(*copy.deepcopy(case["args"]))
        self.assertTrue(_same(got, case["expected"]), "case %d: expected %r, got %r" % (index, case["expected"], got))
    return test


for _i, _case in enumerate(CASES, start=1):
    setattr(TestSolution, "test_case_%03d" % _i, _make(_i, _case))
`;
}

function pythonEvaluator(evaluator: string | undefined): string {
  if (!evaluator || evaluator.trim() === '') return '';
  if (/^\s*def\s+evaluate\s*\(/m.test(evaluator)) return evaluator;
  // Some rows give only the body of evaluate(expected_output, program_output).
  const body = evaluator
    .trim()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
  return `def evaluate(expected_output, program_output):\n${body}\n`;
}

function pythonStdioTests(runnerAfter: string, evaluator: string | undefined, cases: readonly StdioCase[]): string {
  const runner = `from solution import *\n${runnerAfter.replace(/^\n+/, '')}`;
  return `import io
import json
import sys
import unittest

RUNNER = compile(${pyString(runner)}, "runner.py", "exec")
EVALUATOR = ${pyString(pythonEvaluator(evaluator))}
CASES = json.loads(${pyString(JSON.stringify(cases))})

_evaluator_namespace = {}
if EVALUATOR:
    exec(compile(EVALUATOR, "evaluator.py", "exec"), _evaluator_namespace)


def _passes(expected, actual):
    evaluate = _evaluator_namespace.get("evaluate")
    if evaluate is not None:
        return bool(evaluate(expected, actual))
    return expected.strip() == actual.strip()


def _run(stdin_text):
    saved_in, saved_out = sys.stdin, sys.stdout
    sys.stdin, sys.stdout = io.StringIO(stdin_text), io.StringIO()
    try:
        exec(RUNNER, {"__name__": "__main__"})
        return sys.stdout.getvalue()
    finally:
        sys.stdin, sys.stdout = saved_in, saved_out


class TestSolution(unittest.TestCase):
    pass


def _make(index, case):
    def test(self):
        actual = _run(case["input"])
        self.assertTrue(_passes(case["output"], actual), "case %d: expected %r, got %r" % (index, case["output"][:200], actual[:200]))
    return test


for _i, _case in enumerate(CASES, start=1):
    setattr(TestSolution, "test_case_%03d" % _i, _make(_i, _case))
`;
}

function javascriptFiles(problem: EvalProblem, code: string): Files {
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
