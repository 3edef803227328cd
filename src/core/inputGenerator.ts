/**
 * Whether a job carries an input generator `afterburner_inputs(size)`, seen from the host before
 * the run, with the same places the harnesses look: the test files themselves, else a file named
 * `afterburner_inputs.*` beside the tests (Python also beside the module). Asking the harness for
 * sizes without one only costs time and yields nothing, so the host checks first.
 */
import type { LanguageSupport } from './languageSupport';
import type { SourceFile } from './sandboxTypes';

export const INPUT_GENERATOR_NAME = 'afterburner_inputs';

export type GeneratorLocation =
  | { readonly kind: 'tests'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'none' };

export interface GeneratorJob {
  readonly language: LanguageSupport;
  readonly files: readonly SourceFile[];
  readonly modulePath: string;
  readonly testPaths: readonly string[];
}

/** True when `text` (a test file of `language`) defines the generator where the harness finds it. */
export function definesInputGenerator(language: LanguageSupport, text: string): boolean {
  return language.inputGenerator.defines(text);
}

export function findInputGenerator(job: GeneratorJob): GeneratorLocation {
  const byPath = new Map(job.files.map((f) => [f.path, f.content]));
  for (const testPath of job.testPaths) {
    const text = byPath.get(testPath);
    if (text !== undefined && definesInputGenerator(job.language, text)) return { kind: 'tests', path: testPath };
  }
  const generator = job.language.inputGenerator;
  const folders = unique((generator.besideModule ? [...job.testPaths, job.modulePath] : job.testPaths).map(folderOf));
  const names = generator.sideFileNames;
  for (const folder of folders) {
    for (const name of names) {
      const candidate = folder === '' ? name : `${folder}/${name}`;
      if (byPath.has(candidate)) return { kind: 'file', path: candidate };
    }
  }
  return { kind: 'none' };
}

function folderOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
