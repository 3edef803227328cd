/**
 * The local run history (opt-in): the CLI and the extension append one `RunHistoryRecord` per
 * optimisation run to a JSONL file when the user asks for it, and `afterburner export` reads it.
 * Local files only; nothing leaves the machine.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseHistoryLine, type RunHistoryRecord } from '../core/trainingPairs';

/** The workspace default when the user opts in without naming a file. */
export const DEFAULT_HISTORY_FILE = path.join('.afterburner', 'history.jsonl');

/**
 * Where history goes, or undefined when the user has not opted in. AFTERBURNER_HISTORY=path opts
 * in with that file (relative to the workspace); `optedIn` (a setting or a flag) opts in with the
 * workspace default `.afterburner/history.jsonl`. AFTERBURNER_HISTORY=0/off/false opts out.
 */
export function historyPath(
  workspaceRoot: string,
  env: NodeJS.ProcessEnv = process.env,
  optedIn = false,
): string | undefined {
  const fromEnv = env.AFTERBURNER_HISTORY?.trim();
  if (fromEnv && !['0', 'off', 'false', 'no'].includes(fromEnv.toLowerCase())) {
    return path.resolve(
      workspaceRoot,
      fromEnv === '1' || fromEnv.toLowerCase() === 'on' ? DEFAULT_HISTORY_FILE : fromEnv,
    );
  }
  if (fromEnv) return undefined;
  return optedIn ? path.resolve(workspaceRoot, DEFAULT_HISTORY_FILE) : undefined;
}

/** Append one run (creating the folder). Call only when `historyPath` gave a path. */
export async function appendRunHistory(file: string, record: RunHistoryRecord): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, JSON.stringify(record) + '\n', 'utf8');
}

export interface LoadedHistory {
  readonly records: readonly RunHistoryRecord[];
  /** "line N: why" for lines that were skipped. */
  readonly skipped: readonly string[];
}

export async function readRunHistory(file: string): Promise<LoadedHistory> {
  const text = await readFile(file, 'utf8');
  const records: RunHistoryRecord[] = [];
  const skipped: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = parseHistoryLine(line);
    if (parsed.kind === 'record') records.push(parsed.record);
    else skipped.push(`line ${i + 1}: ${parsed.reason}`);
  });
  return { records, skipped };
}
