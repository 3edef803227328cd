/** Reads the `afterburner.*` settings, clamped to the ranges package.json declares. */
import * as vscode from 'vscode';
import type { Goal } from '../core/loopTypes';
import { DEFAULT_GROWTH_SIZES } from '../core/growthRun';
import { DEFAULT_PATIENCE } from '../core/stopRule';

export type ProviderSetting = 'openai-compatible' | 'vscode-lm';
export type BackendSetting = 'auto' | 'docker' | 'local';
export type DiffLayoutSetting = 'inline' | 'sideBySide';

export interface Settings {
  readonly provider: ProviderSetting;
  readonly baseUrl: string;
  readonly model: string;
  readonly backend: BackendSetting;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly iterations: number;
  readonly goal: Goal;
  readonly candidates: number;
  /** Passing iterations in a row without a gain before the run stops; 0 runs every iteration. */
  readonly patience: number;
  /** Opt-in: append each optimisation run to .afterburner/history.jsonl for `afterburner export`. */
  readonly history: boolean;
  /** Input sizes for `afterburner_inputs(size)` (empirical complexity); empty turns it off. */
  readonly profileSizes: readonly number[];
  /** How Show diff presents an iteration: one unified view in the file's language, or two columns. */
  readonly diffLayout: DiffLayoutSetting;
  /** The Python that runs the tests (local sandbox); empty: the Python extension's, then the project's. */
  readonly pythonInterpreter: string;
  /** The image Python jobs run in with Docker; empty: the dev container's image, else Afterburner's. */
  readonly sandboxImage: string;
}

export const DEFAULT_PROFILE_SIZES = DEFAULT_GROWTH_SIZES;
const MAX_PROFILE_SIZES = 12;

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const config = vscode.workspace.getConfiguration('afterburner', scope);
  return {
    provider: oneOf(config.get('llm.provider'), ['openai-compatible', 'vscode-lm'], 'openai-compatible'),
    baseUrl: (config.get<string>('llm.baseUrl') ?? DEFAULT_BASE_URL).trim() || DEFAULT_BASE_URL,
    model: (config.get<string>('llm.model') ?? '').trim(),
    backend: oneOf(config.get('sandbox.backend'), ['auto', 'docker', 'local'], 'auto'),
    timeoutSeconds: clampInt(config.get('sandbox.timeoutSeconds'), 1, 3600, 60),
    memoryMb: clampInt(config.get('sandbox.memoryMb'), 64, 16384, 512),
    iterations: clampInt(config.get('optimize.iterations'), 1, 20, 3),
    goal: oneOf(config.get('optimize.goal'), ['time', 'memory', 'integral'], 'time'),
    candidates: clampInt(config.get('optimize.candidates'), 1, 8, 2),
    patience: clampInt(config.get('optimize.patience'), 0, 20, DEFAULT_PATIENCE),
    history: config.get<boolean>('history.enabled') === true,
    profileSizes: sizesOf(config.get('profile.sizes')),
    diffLayout: oneOf(config.get('diff.layout'), ['inline', 'sideBySide'], 'inline'),
    pythonInterpreter: (config.get<string>('python.interpreter') ?? '').trim(),
    sandboxImage: (config.get<string>('sandbox.image') ?? '').trim(),
  };
}

/** Writes a setting where the user most likely wants it: the workspace when one is open. */
export async function updateSetting(key: string, value: unknown): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('afterburner').update(key, value, target);
}

export function openSettings(query = 'afterburner'): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', query);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** Positive integers, ascending, without repeats; anything else in the setting is left out. */
function sizesOf(value: unknown): readonly number[] {
  if (!Array.isArray(value)) return DEFAULT_PROFILE_SIZES;
  const sizes = value.filter(
    (n): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 100_000_000,
  );
  return [...new Set(sizes)].sort((a, b) => a - b).slice(0, MAX_PROFILE_SIZES);
}

function clampInt(value: unknown, min: number, max: number, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.round(value)));
}
