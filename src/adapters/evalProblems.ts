/**
 * Reads eval problems and answers from JSONL. Two problem row formats are accepted:
 * - ours: {id, language, entry_point, description, tests: [{args, expected}] | test_code,
 *   solutions: [{code}], inputs_generator?, sizes?};
 * - the Venus / Mercury row format (e.g. Venus_Python): {problem_id | question_id, question_content,
 *   code_prompt, test_cases: JSON string or list of {input, output}, test_case_runners: string or
 *   {python3: …} with the `==Code Submission==` placeholder, test_case_evaluator, solutions:
 *   [{code, passed, time, memory, integral}]}.
 * Bad rows are reported with their line number, never thrown.
 */
import { readFile } from 'node:fs/promises';
import type {
  ArgsExpected,
  EvalAnswer,
  EvalProblem,
  ProblemTests,
  ReferenceSolution,
  StdioCase,
} from '../core/evalTypes';
import type { Language } from '../core/sandboxTypes';
import { languageByName, languageIdsInWords } from '../languages/registry';

export type Parsed<T> =
  { readonly kind: 'ok'; readonly value: T } | { readonly kind: 'error'; readonly message: string };

export interface LoadedProblems {
  readonly problems: readonly EvalProblem[];
  /** "line N: why" for rows that could not be used. */
  readonly errors: readonly string[];
}

export async function readProblemsFile(path: string): Promise<LoadedProblems> {
  return parseProblemsJsonl(await readFile(path, 'utf8'));
}

export function parseProblemsJsonl(text: string): LoadedProblems {
  const problems: EvalProblem[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      errors.push(`line ${i + 1}: not JSON (${(err as Error).message})`);
      return;
    }
    const parsed = parseProblem(row);
    if (parsed.kind === 'error') {
      errors.push(`line ${i + 1}: ${parsed.message}`);
    } else if (seen.has(parsed.value.id)) {
      errors.push(`line ${i + 1}: duplicate id '${parsed.value.id}'`);
    } else {
      seen.add(parsed.value.id);
      problems.push(parsed.value);
    }
  });
  return { problems, errors };
}

type Row = Record<string, unknown>;

export function parseProblem(row: unknown): Parsed<EvalProblem> {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return error('a problem must be a JSON object');
  const r = row as Row;
  return 'test_cases' in r || 'question_content' in r ? parseVenusRow(r) : parseOurRow(r);
}

function parseOurRow(r: Row): Parsed<EvalProblem> {
  const id = idOf(r.id);
  if (id === undefined) return error('missing id');
  const language = languageOf(r.language);
  if (!language) return error(`problem ${id}: language must be ${languageIdsInWords()}`);
  if (typeof r.entry_point !== 'string' || !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)?$/.test(r.entry_point)) {
    return error(`problem ${id}: entry_point must be a name or Class.method`);
  }
  let tests: ProblemTests;
  if (typeof r.test_code === 'string' && r.test_code.trim() !== '') {
    tests = { kind: 'code', code: r.test_code };
  } else if (Array.isArray(r.tests)) {
    const cases: ArgsExpected[] = [];
    for (const [i, t] of r.tests.entries()) {
      if (typeof t !== 'object' || t === null || !Array.isArray((t as Row).args) || !('expected' in t)) {
        return error(`problem ${id}: tests[${i}] must be {args: [...], expected}`);
      }
      cases.push({ args: (t as Row).args as unknown[], expected: (t as Row).expected });
    }
    if (cases.length === 0) return error(`problem ${id}: tests is empty`);
    tests = { kind: 'args', cases };
  } else {
    return error(`problem ${id}: needs tests: [{args, expected}] or test_code`);
  }
  const solutions = solutionsOf(r.solutions);
  const sizes = Array.isArray(r.sizes)
    ? r.sizes.filter((n): n is number => typeof n === 'number' && n >= 1)
    : undefined;
  return {
    kind: 'ok',
    value: {
      id,
      language,
      entryPoint: r.entry_point,
      description: typeof r.description === 'string' ? r.description : '',
      tests,
      solutions,
      ...(typeof r.inputs_generator === 'string' ? { inputsGenerator: r.inputs_generator } : {}),
      ...(sizes && sizes.length > 0 ? { sizes } : {}),
    },
  };
}

function parseVenusRow(r: Row): Parsed<EvalProblem> {
  const id = idOf(r.problem_id) ?? idOf(r.question_id) ?? idOf(r.id);
  if (id === undefined) return error('Venus row without problem_id / question_id');
  let rawCases: unknown = r.test_cases;
  if (typeof rawCases === 'string') {
    try {
      rawCases = JSON.parse(rawCases);
    } catch {
      return error(`problem ${id}: test_cases is not valid JSON`);
    }
  }
  if (!Array.isArray(rawCases) || rawCases.length === 0) return error(`problem ${id}: no test_cases`);
  const cases: StdioCase[] = [];
  for (const c of rawCases) {
    const input = (c as Row | null)?.input;
    const output = (c as Row | null)?.output;
    if (typeof input !== 'string' || typeof output !== 'string')
      return error(`problem ${id}: test cases must be {input, output} strings`);
    cases.push({ input, output });
  }
  const runners = r.test_case_runners;
  const runner =
    typeof runners === 'string'
      ? runners
      : typeof runners === 'object' && runners !== null
        ? stringField(runners as Row, ['python3', 'python'])
        : undefined;
  const evaluator = typeof r.test_case_evaluator === 'string' ? r.test_case_evaluator : undefined;
  const solutions = solutionsOf(r.solutions).filter((s) => s.code.trim() !== '');
  const entryPoint =
    (typeof r.entry_point === 'string' && r.entry_point.includes('.') ? r.entry_point : undefined) ??
    entryPointFromCode(typeof r.code_prompt === 'string' ? r.code_prompt : '') ??
    entryPointFromCode(solutions[0]?.code ?? '');
  if (!entryPoint) return error(`problem ${id}: cannot tell the entry point (no code_prompt with a class and method)`);
  return {
    kind: 'ok',
    value: {
      id,
      language: 'python',
      entryPoint,
      description:
        typeof r.question_content === 'string' ? r.question_content : typeof r.content === 'string' ? r.content : '',
      tests: { kind: 'stdio', cases, ...(runner ? { runner } : {}), ...(evaluator ? { evaluator } : {}) },
      solutions,
    },
  };
}

/** `class Solution:` … `def twoSum(self, …)` → "Solution.twoSum"; a bare `def f(` → "f". */
export function entryPointFromCode(code: string): string | undefined {
  const cls = /^class\s+(\w+)\s*[:(]/m.exec(code);
  if (cls) {
    const rest = code.slice(cls.index);
    const method = /^\s+def\s+(?!__)(\w+)\s*\(\s*self\b/m.exec(rest);
    if (method) return `${cls[1]}.${method[1]}`;
  }
  const fn = /^def\s+(\w+)\s*\(/m.exec(code);
  return fn ? fn[1] : undefined;
}

function solutionsOf(value: unknown): ReferenceSolution[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((s): ReferenceSolution[] => {
    if (typeof s === 'string') return [{ code: s }];
    if (typeof s !== 'object' || s === null || typeof (s as Row).code !== 'string') return [];
    const row = s as Row;
    const recorded = {
      ...(typeof row.passed === 'boolean' ? { passed: row.passed } : {}),
      ...(typeof row.time === 'number' ? { time: row.time } : {}),
      ...(typeof row.memory === 'number' ? { memory: row.memory } : {}),
      ...(typeof row.integral === 'number' ? { integral: row.integral } : {}),
    };
    return [{ code: row.code as string, ...(Object.keys(recorded).length > 0 ? { recorded } : {}) }];
  });
}

function stringField(row: Row, keys: readonly string[]): string | undefined {
  for (const k of keys) if (typeof row[k] === 'string') return row[k] as string;
  return undefined;
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function languageOf(value: unknown): Language | undefined {
  return typeof value === 'string' ? languageByName(value)?.id : undefined;
}

function error<T>(message: string): Parsed<T> {
  return { kind: 'error', message };
}

export interface LoadedAnswers {
  readonly answers: ReadonlyMap<string, EvalAnswer>;
  readonly errors: readonly string[];
}

export async function readAnswersFile(path: string): Promise<LoadedAnswers> {
  return parseAnswersJsonl(await readFile(path, 'utf8'));
}

/** `{id, code}` per line; a later line for the same id replaces an earlier one. */
export function parseAnswersJsonl(text: string): LoadedAnswers {
  const answers = new Map<string, EvalAnswer>();
  const errors: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const row = JSON.parse(line) as Row;
      const id = idOf(row.id) ?? idOf(row.problem_id);
      const code =
        typeof row.code === 'string' ? row.code : typeof row.solution === 'string' ? row.solution : undefined;
      if (id === undefined || code === undefined) errors.push(`line ${i + 1}: an answer is {id, code}`);
      else answers.set(id, { id, code });
    } catch {
      errors.push(`line ${i + 1}: not JSON`);
    }
  });
  return { answers, errors };
}
