import { readFileSync } from 'node:fs';
import { languageOf } from '../../src/languages/registry';
import { describe, expect, it } from 'vitest';
import { entryPointFromCode, parseAnswersJsonl, parseProblemsJsonl } from '../../src/adapters/evalProblems';
import { problemJob } from '../../src/core/evalJobs';
import { JS_MODULE, JS_TESTS } from '../../src/languages/node/javascriptEvalProgram';
import { PYTHON_MODULE, PYTHON_TESTS } from '../../src/languages/python/pythonEvalProgram';
import type { EvalProblem } from '../../src/core/evalTypes';

const fixture = readFileSync('test/fixtures/eval/problems.jsonl', 'utf8');
const limits = { timeoutMs: 10_000, memoryMb: 256 };

describe('parseProblemsJsonl', () => {
  const { problems, errors } = parseProblemsJsonl(fixture);

  it('reads our format and the Venus row format from one file', () => {
    expect(errors).toEqual([]);
    expect(problems.map((p) => [p.id, p.language, p.entryPoint, p.tests.kind])).toEqual([
      ['py-sum-squares', 'python', 'sum_squares', 'args'],
      ['py-two-sum', 'python', 'Solution.twoSum', 'args'],
      ['9001', 'python', 'Solution.countEven', 'stdio'],
      ['js-count-primes', 'javascript', 'countPrimes', 'args'],
      ['js-unique', 'javascript', 'Solution.unique', 'args'],
    ]);
  });

  it("keeps a Venus row's recorded figures for information and drops its empty failed solutions", () => {
    const venus = problems.find((p) => p.id === '9001') as EvalProblem;
    expect(venus.solutions).toHaveLength(2);
    expect(venus.solutions[0]?.recorded).toEqual({ passed: true, time: 120, memory: 16000, integral: 900 });
    expect(venus.description).toBe('Count the even numbers in nums.');
  });

  it('reports bad rows by line and goes on', () => {
    const text = [
      '{"id": "a", "language": "cobol", "entry_point": "f", "tests": [{"args": [], "expected": 1}]}',
      'not json',
      '',
      '{"id": "b", "language": "python", "entry_point": "f"}',
      fixture.split('\n')[0],
    ].join('\n');
    const r = parseProblemsJsonl(text);
    expect(r.problems.map((p) => p.id)).toEqual(['py-sum-squares']);
    expect(r.errors).toEqual([
      'line 1: problem a: language must be python, javascript or typescript',
      expect.stringMatching(/^line 2: not JSON/),
      'line 4: problem b: needs tests: [{args, expected}] or test_code',
    ]);
  });

  it('finds the entry point of LeetCode-style code', () => {
    expect(
      entryPointFromCode(
        'class Solution:\n    def __init__(self):\n        pass\n    def maxArea(self, h):\n        return 0',
      ),
    ).toBe('Solution.maxArea');
    expect(entryPointFromCode('def solve(x):\n    return x')).toBe('solve');
  });
});

describe('parseAnswersJsonl', () => {
  it('reads {id, code} lines; numeric ids become strings', () => {
    const r = parseAnswersJsonl('{"id": 9001, "code": "x"}\n{"id": "a"}\n');
    expect([...r.answers.keys()]).toEqual(['9001']);
    expect(r.errors).toEqual(['line 2: an answer is {id, code}']);
  });
});

describe('problemJob', () => {
  const { problems } = parseProblemsJsonl(fixture);
  const byId = (id: string): EvalProblem => problems.find((p) => p.id === id) as EvalProblem;

  it('makes a Python unittest file that calls the entry point with each args', () => {
    const job = problemJob(languageOf(byId('py-two-sum').language), byId('py-two-sum'), 'class Solution: ...', {
      mode: { kind: 'profile' },
      limits,
    });
    expect(job).toMatchObject({
      language: 'python',
      modulePath: PYTHON_MODULE,
      testPaths: [PYTHON_TESTS],
      target: 'Solution.twoSum',
    });
    const tests = job.files.find((f) => f.path === PYTHON_TESTS)?.content ?? '';
    expect(tests).toContain('import unittest');
    expect(tests).toContain('getattr(solution.Solution(), "twoSum")(*copy.deepcopy(case["args"]))');
    // The LeetCode names (List, …) exist for the solution.
    expect(job.files.find((f) => f.path === PYTHON_MODULE)?.content).toMatch(/^from typing import \*/);
  });

  it('turns a Venus runner into a stdin/stdout test with the solution imported where the placeholder was', () => {
    const job = problemJob(languageOf(byId('9001').language), byId('9001'), 'class Solution: ...', {
      mode: { kind: 'profile' },
      limits,
    });
    const tests = job.files.find((f) => f.path === PYTHON_TESTS)?.content ?? '';
    expect(tests).toContain(
      JSON.stringify('from solution import *\nnums = json.loads(input())\nprint(Solution().countEven(nums))\n'),
    );
    expect(tests).toContain('def evaluate(expected_output, program_output)');
    // What the runner put before the placeholder (its imports, helper classes) goes with the code.
    expect(job.files.find((f) => f.path === PYTHON_MODULE)?.content).toMatch(
      /import json\n\nclass Solution: \.\.\.\n$/,
    );
  });

  it('exports a JavaScript entry point for the harness and tests it with node:test', () => {
    const job = problemJob(
      languageOf(byId('js-unique').language),
      byId('js-unique'),
      'class Solution { unique(v) { return v; } }',
      {
        mode: { kind: 'profile' },
        limits,
      },
    );
    expect(job.files.find((f) => f.path === JS_MODULE)?.content).toMatch(/export \{ Solution \};\n$/);
    const tests = job.files.find((f) => f.path === JS_TESTS)?.content ?? '';
    expect(tests).toContain("import { test } from 'node:test';");
    expect(tests).toContain(`new mod["Solution"]()`);
    const already = problemJob(
      languageOf(byId('js-count-primes').language),
      byId('js-count-primes'),
      'export function countPrimes(n) { return 0; }',
      {
        mode: { kind: 'profile' },
        limits,
      },
    );
    expect(already.files.find((f) => f.path === JS_MODULE)?.content).toBe(
      'export function countPrimes(n) { return 0; }',
    );
  });

  it('asks for size measurements when the problem brings an input generator', () => {
    const p: EvalProblem = {
      ...byId('js-count-primes'),
      inputsGenerator: 'function afterburner_inputs(size) { return [[size]]; }',
      sizes: [100, 200, 400, 800],
    };
    const job = problemJob(languageOf(p.language), p, 'function countPrimes(n) { return 0; }', {
      mode: { kind: 'profile' },
      limits,
      measure: { budgetMs: 100 },
    });
    expect(job.measure).toEqual({ budgetMs: 100, sizes: [100, 200, 400, 800] });
    expect(job.files.find((f) => f.path === JS_TESTS)?.content).toContain('export function afterburner_inputs(size)');
  });
});
