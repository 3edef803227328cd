/**
 * The port through which the core knows a programming language. Core never compares language
 * names: whatever differs between Python, JavaScript and TypeScript (how definitions are found,
 * how code is normalised, how a prompt names and fences it, how an eval problem becomes a program)
 * is asked of the `LanguageSupport` it is given. The implementations live in src/languages/, one
 * folder per language, and src/languages/registry.ts hands them out by id, file or editor language.
 */
import type { EvalProblem } from './evalTypes';
import type { Addition } from './extractCode';
import type { Definitions } from './functionLocator';
import type { Language, SourceFile } from './sandboxTypes';

export interface LanguageSupport {
  /** What jobs, results and the CLI's JSON carry: 'python', 'javascript', 'typescript'. */
  readonly id: Language;
  /** How prompts and messages name it: 'Python', 'TypeScript'. */
  readonly displayName: string;
  /** The info string of a Markdown code fence holding this language. */
  readonly fence: string;
  /** File name endings of its modules, the usual one first ('.py'; '.ts', '.mts', …). */
  readonly extensions: readonly string[];
  /** The fence for a file of a job (a test may be JavaScript beside a TypeScript module); undefined if not one of ours. */
  fenceForPath(path: string): string | undefined;
  /** Every function (and method) and class definition of `text`, in source order. */
  scan(text: string): Definitions;
  /** A canonical form for spotting the same code twice: comments and insignificant whitespace gone. */
  normalize(code: string): string;
  /** The top-level imports, helpers and constants of a model's code block (target excluded by the caller). */
  topLevelAdditions(text: string): Addition[];
  readonly syntax: SourceSyntax;
  readonly inputGenerator: InputGeneratorSupport;
  readonly evalProgram: EvalProgramSupport;
}

/** Line-level facts about the source, for context gathering and splicing. */
export interface SourceSyntax {
  /** A whole-line comment (the comments right above a definition belong to it). */
  readonly commentLine: RegExp;
  /** A module-level import line, as shown to the model. */
  isImportLine(line: string): boolean;
  /** A module-level assignment; group 1 is the assigned name. */
  readonly topLevelAssignment: RegExp;
  /**
   * The class text around a method written alone (`add(item) {…}`, as the prompt shows a method),
   * which does not parse by itself; absent where it does (Python's `def add(self, item):`).
   */
  readonly methodAlone?: { readonly before: string; readonly after: string };
}

/** The benchmark input generator `afterburner_inputs(size)`, as this language's harness finds it. */
export interface InputGeneratorSupport {
  /** True when a test file's text defines the generator where the harness looks. */
  defines(testText: string): boolean;
  /** File names beside the tests (and the module, when `besideModule`) that hold a generator. */
  readonly sideFileNames: readonly string[];
  readonly besideModule: boolean;
  /** Prompt lines: the signature to write and what it returns, for `target`. */
  returnContract(target: string): string[];
  /** The generator code as it must stand in a test file (e.g. exported). */
  asTestFileCode(code: string): string;
  /** The first line of an import statement. */
  readonly importStart: RegExp;
  /** Whether the import that starts at `lines[first]` is complete at `lines[last]`. */
  importEndsAt(lines: readonly string[], first: number, last: number): boolean;
  /** Blank lines between top-level definitions in this language's usual style. */
  readonly blankLinesBetweenDefinitions: number;
}

/** The files of an eval problem's job: the solution module and a test file in the language's own style. */
export interface EvalProgram {
  /** The language the harness runs the program as (TypeScript problems run as JavaScript). */
  readonly language: Language;
  readonly files: readonly SourceFile[];
  readonly modulePath: string;
  readonly testPath: string;
}

export interface EvalProgramSupport {
  program(problem: EvalProblem, code: string): EvalProgram;
  /** The inverse of `program` for the module: the solution without what `program` put around it. */
  solutionOf(problem: EvalProblem, moduleText: string): string;
}

/** The support for a language id that is known to be registered (ids are validated where they enter). */
export type LanguageLookup = (id: Language) => LanguageSupport;
