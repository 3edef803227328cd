/**
 * Which Python runs a project's tests, in the order a user expects: the one they named (setting
 * or `--python`), the active virtual environment (VIRTUAL_ENV), a `.venv` or `venv` folder at the
 * project root, then `python3` on PATH.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export type InterpreterSource = 'named' | 'VIRTUAL_ENV' | '.venv' | 'venv' | 'PATH';

export interface InterpreterChoice {
  /** A path, or `python3` (looked up on PATH). */
  readonly command: string;
  readonly source: InterpreterSource;
}

export interface InterpreterQuery {
  /** `--python` or the `afterburner.python.interpreter` setting. */
  readonly named?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly projectRoot?: string;
}

function venvPython(dir: string): string | undefined {
  for (const name of ['bin/python3', 'bin/python', 'Scripts/python.exe']) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function findPythonInterpreter(query: InterpreterQuery): InterpreterChoice {
  if (query.named !== undefined && query.named.trim() !== '') return { command: query.named, source: 'named' };
  const active = query.env.VIRTUAL_ENV;
  const fromActive = active ? venvPython(active) : undefined;
  if (fromActive) return { command: fromActive, source: 'VIRTUAL_ENV' };
  if (query.projectRoot !== undefined) {
    for (const folder of ['.venv', 'venv'] as const) {
      const found = venvPython(path.join(query.projectRoot, folder));
      if (found) return { command: found, source: folder };
    }
  }
  return { command: 'python3', source: 'PATH' };
}

/** How the choice reads in the CLI and the isolation text. */
export function describeInterpreterSource(source: InterpreterSource): string {
  switch (source) {
    case 'named':
      return 'as named';
    case 'VIRTUAL_ENV':
      return 'the active virtual environment';
    case '.venv':
    case 'venv':
      return `the project's ${source}`;
    case 'PATH':
      return 'python3 on PATH';
  }
}
