/**
 * The eval results file: one `ProblemResult` JSON per line, appended as each problem finishes, so
 * an interrupted evaluation resumes where it stopped. A torn last line (the process was killed
 * mid-write) is ignored on read.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProblemResult } from '../core/evalTypes';

export interface ResultsStore {
  readonly path: string;
  /** Results already in the file, last one per id wins. */
  load(): Promise<Map<string, ProblemResult>>;
  append(result: ProblemResult): Promise<void>;
  /** Resolves when every append so far is on disk (failed appends are reported by `append`). */
  flush(): Promise<void>;
}

export function createResultsStore(file: string): ResultsStore {
  // Workers finish concurrently: chain the appends so lines never interleave.
  let chain: Promise<void> = Promise.resolve();
  return {
    path: file,
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
        throw err;
      }
      return parseResultsJsonl(text);
    },
    append(result) {
      chain = chain.then(async () => {
        await mkdir(path.dirname(file), { recursive: true });
        await appendFile(file, JSON.stringify(result) + '\n', 'utf8');
      });
      const written = chain;
      chain = chain.catch(() => undefined);
      return written;
    },
    flush() {
      return chain;
    },
  };
}

export function parseResultsJsonl(text: string): Map<string, ProblemResult> {
  const out = new Map<string, ProblemResult>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as ProblemResult;
      if (typeof r.id === 'string' && r.answer && typeof r.answer === 'object') out.set(r.id, r);
    } catch {
      // A torn line from an interrupted run: that problem simply runs again.
    }
  }
  return out;
}

/**
 * Default results path, next to the problems file and named after the answers so that scoring a
 * different answers file never resumes from another one's results:
 * `problems.jsonl` + `answers.jsonl` → `problems.answers.results.jsonl`. An --optimize run is named
 * after the model too (`problems.optimize-MODEL[.answers].results.jsonl`): its answers are the
 * loop's, so it must neither resume from a plain scoring of its starts nor from another model.
 */
export function defaultResultsPath(
  problemsPath: string,
  answersPath: string | undefined,
  optimizeModel?: string,
): string {
  const dir = path.dirname(problemsPath);
  const stem = path.basename(problemsPath).replace(/\.jsonl?$/i, '');
  const answers = answersPath ? path.basename(answersPath).replace(/\.jsonl?$/i, '') : undefined;
  const parts =
    optimizeModel !== undefined
      ? [`optimize-${optimizeModel.replace(/[^\w.-]+/g, '_')}`, ...(answers ? [answers] : [])]
      : [answers ?? 'optimize'];
  return path.join(dir, `${[stem, ...parts].join('.')}.results.jsonl`);
}
