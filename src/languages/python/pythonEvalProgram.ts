/**
 * An eval problem as a Python program: the code becomes `solution.py` (after the names LeetCode's
 * judge imports, and the helpers a Venus runner defines before its placeholder), and the problem's
 * tests become a unittest file, so the harness runs, records and measures it like any user function.
 */
import type { EvalProblem, StdioCase } from '../../core/evalTypes';
import type { EvalProgram } from '../../core/languageSupport';

export const PYTHON_MODULE = 'solution.py';
export const PYTHON_TESTS = 'test_solution.py';

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

/** The solution without the prelude and runner helpers `pythonProgram` put before it (see EvalProgramSupport). */
export function pythonSolutionOf(problem: EvalProblem, moduleText: string): string {
  const tests = problem.tests;
  if (tests.kind === 'code') return moduleText;
  const before = tests.kind === 'stdio' ? splitRunner(tests.runner).before.trim() : '';
  const prefix = [LEETCODE_PYTHON_PRELUDE, before].filter((s) => s !== '').join('\n\n') + '\n\n';
  if (!moduleText.startsWith(prefix)) return moduleText;
  const body = moduleText.slice(prefix.length);
  // The stdio module ends with a newline of its own after the code.
  return tests.kind === 'stdio' && body.endsWith('\n') ? body.slice(0, -1) : body;
}

export function pythonProgram(problem: EvalProblem, code: string): EvalProgram {
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
    language: problem.language,
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
