/**
 * Owns every run's record: folds loop events into it, stores it, and tells listeners (the panel,
 * the CodeLens, the status bar) that something changed. The panel only ever shows what this holds.
 */
import * as vscode from 'vscode';
import type { LoopEvent } from '../core/loopTypes';
import { candidateChange } from '../panel/diffModel';
import { languageOf } from '../languages/registry';
import { followDocument } from '../panel/documentFollow';
import {
  decideIteration,
  markInterrupted,
  reduceGrowth,
  reduceRun,
  startRun,
  summarizeRun,
  type GrowthAction,
  type RunRecord,
  type RunStart,
} from '../panel/panelState';
import type { Decision, PanelState } from '../shared/protocol';
import type { RunStore } from './runStore';

const SAVE_DELAY_MS = 750;

export class RunTracker implements vscode.Disposable {
  private readonly records = new Map<string, RunRecord>();
  /** The module text at each live run's start, to read candidate modules back into changes. */
  private readonly startModules = new Map<string, string>();
  private shownId: string | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly store: RunStore,
    private readonly now: () => number = Date.now,
  ) {
    for (const record of store.load()) {
      // A run still "running" in storage was cut off by a reload or a closed window.
      const settled = markInterrupted(record, this.now());
      this.records.set(settled.view.id, settled);
    }
    this.shownId = this.newest()?.view.id;
  }

  begin(start: RunStart, moduleText: string): RunRecord {
    const record = startRun(start);
    this.records.set(start.id, record);
    this.startModules.set(start.id, moduleText);
    this.shownId = start.id;
    this.touch();
    return record;
  }

  apply(runId: string, event: LoopEvent): void {
    const record = this.records.get(runId);
    if (!record) return;
    const moduleText = this.startModules.get(runId);
    const { language, target } = record.source;
    const next = reduceRun(record, event, {
      now: this.now(),
      changeOf: (report) =>
        report.moduleText !== undefined && moduleText !== undefined
          ? candidateChange(languageOf(language), moduleText, report.moduleText, target)
          : undefined,
    });
    this.records.set(runId, next);
    if (event.type === 'finished') this.startModules.delete(runId);
    this.touch();
  }

  /** Growth measurement of a run (sizes with an input generator): the panel's own actions. */
  applyGrowth(runId: string, action: GrowthAction): void {
    const record = this.records.get(runId);
    if (!record) return;
    this.records.set(runId, reduceGrowth(record, action));
    this.touch();
  }

  /** Ends a live run that stopped without a `finished` event (e.g. the loop threw). */
  end(runId: string, outcome: 'failed' | 'cancelled', reason: string): void {
    const record = this.records.get(runId);
    if (record?.view.phase === 'running')
      this.apply(runId, { type: 'finished', outcome, reason, stop: outcome === 'cancelled' ? 'cancelled' : 'error' });
  }

  decide(runId: string, iteration: number, decision: Decision, appliedCode?: string): void {
    const record = this.records.get(runId);
    if (!record) return;
    this.records.set(runId, decideIteration(record, iteration, decision, appliedCode));
    this.touch();
  }

  /** The document of runs on `documentUri` changed: `functionText(record)` reads their function in it now. */
  follow(documentUri: string, functionText: (record: RunRecord) => string | undefined): void {
    let changed = false;
    for (const [id, record] of this.records) {
      if (record.source.documentUri !== documentUri || record.appliedCode === undefined) continue;
      const next = followDocument(record, functionText(record));
      if (next === record) continue;
      this.records.set(id, next);
      changed = true;
    }
    if (changed) this.touch();
  }

  get(runId: string): RunRecord | undefined {
    return this.records.get(runId);
  }

  all(): RunRecord[] {
    return [...this.records.values()].sort((a, b) => b.view.startedAt - a.view.startedAt);
  }

  shown(): RunRecord | undefined {
    return this.shownId === undefined ? undefined : this.records.get(this.shownId);
  }

  show(runId: string): boolean {
    if (!this.records.has(runId)) return false;
    this.shownId = runId;
    this.changed.fire();
    return true;
  }

  panelState(): PanelState {
    const run = this.shown()?.view;
    return { ...(run === undefined ? {} : { run }), history: this.all().map((r) => summarizeRun(r.view)) };
  }

  /** Writes pending changes now (deactivation). */
  flush(): Thenable<void> {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    return this.store.save(this.all());
  }

  dispose(): void {
    void this.flush();
    this.changed.dispose();
  }

  private newest(): RunRecord | undefined {
    return this.all()[0];
  }

  private touch(): void {
    this.changed.fire();
    if (this.saveTimer === undefined) {
      this.saveTimer = setTimeout(() => {
        this.saveTimer = undefined;
        void this.store.save(this.all());
      }, SAVE_DELAY_MS);
    }
  }
}
