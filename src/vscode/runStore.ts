/**
 * Past runs of this workspace, kept in workspaceState so the panel can reopen them after a reload.
 * Records hold views and candidate code, not raw samples, and only the newest few are kept.
 */
import type * as vscode from 'vscode';
import { refreshWords, type RunRecord } from '../panel/panelState';
import { parseGrowthView } from '../shared/protocol';

const KEY = 'afterburner.runs.v1';
export const MAX_STORED_RUNS = 20;

export class RunStore {
  constructor(private readonly memento: vscode.Memento) {}

  /**
   * Stored runs, newest first, their change words said as this version says them; anything
   * unreadable (an older format) is dropped.
   */
  load(): RunRecord[] {
    const raw = this.memento.get<unknown>(KEY);
    if (!Array.isArray(raw)) return [];
    return raw.filter(isRecordLike).slice(0, MAX_STORED_RUNS).map(withValidGrowth).map(refreshWords);
  }

  save(records: readonly RunRecord[]): Thenable<void> {
    const newestFirst = [...records].sort((a, b) => b.view.startedAt - a.view.startedAt).slice(0, MAX_STORED_RUNS);
    return this.memento.update(KEY, newestFirst);
  }
}

function isRecordLike(value: unknown): value is RunRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<RunRecord>;
  return (
    typeof record.view?.id === 'string' &&
    Array.isArray(record.view.iterations) &&
    typeof record.source?.documentUri === 'string' &&
    typeof record.source.originalCode === 'string' &&
    Array.isArray(record.candidates)
  );
}

/** A growth section the panel cannot draw (stored by another version) is left out, the run kept. */
function withValidGrowth(record: RunRecord): RunRecord {
  const raw: unknown = (record.view as { growth?: unknown }).growth;
  if (raw === undefined) return record;
  const growth = parseGrowthView(raw);
  const { growth: _stored, ...view } = record.view;
  return { ...record, view: growth === undefined ? view : { ...view, growth } };
}
