/**
 * Before a run: the function under the cursor, its tests, the files that go to the sandbox, the
 * settings and a sandbox. Each missing piece ends here with a message saying what to do.
 */
import * as vscode from 'vscode';
import type { Limits, ProjectMount, Sandbox, SandboxJob } from '../core/sandboxTypes';
import { harnessOf } from '../languages/registry';
import { readSettings, type Settings } from './configuration';
import { choosePythonForRun, pythonOrigin, type PythonForRun } from './pythonChoice';
import { resolveTarget, type FunctionTarget } from './functionTarget';
import { collectJobFiles, type JobFiles } from './jobFiles';
import { omittedNote } from '../cli/sandboxJobInput';
import type { SandboxProvider } from './sandboxProvider';
import { chooseTests } from './testDiscovery';

export type RunKind = 'optimize' | 'profile';

export interface Prepared {
  readonly target: FunctionTarget;
  readonly job: JobFiles;
  readonly testUris: readonly vscode.Uri[];
  readonly settings: Settings;
  readonly limits: Limits;
  readonly sandbox: Sandbox;
  readonly backend: 'docker' | 'local';
  /** Python runs: the interpreter (or image) chosen, and why. */
  readonly python?: PythonForRun;
  /** How the panel names where the interpreter came from. */
  readonly interpreterOrigin?: string;
}

export interface PreparationDeps {
  readonly workspaceState: vscode.Memento;
  readonly sandboxes: SandboxProvider;
  readonly log: vscode.LogOutputChannel;
  /** The Docker sandbox is not available: offer the local one. */
  readonly noSandbox: (message: string, kind: RunKind) => void;
}

export async function prepareRun(
  deps: PreparationDeps,
  kind: RunKind,
  uri: vscode.Uri | undefined,
): Promise<Prepared | undefined> {
  const { log } = deps;
  let editor = vscode.window.activeTextEditor;
  if (uri && editor?.document.uri.toString() !== uri.toString() && uri.scheme === 'file')
    editor = await vscode.window.showTextDocument(uri);
  if (!editor) {
    void vscode.window.showErrorMessage(
      'Afterburner: open a Python, JavaScript or TypeScript file and put the cursor in a function, then run this again.',
    );
    return undefined;
  }
  const resolution = await resolveTarget(editor.document, editor.selection);
  if (resolution.kind === 'unsupported') {
    void vscode.window.showErrorMessage(
      `Afterburner works on Python, JavaScript and TypeScript functions; this file's language is "${resolution.languageId}".`,
    );
    return undefined;
  }
  if (resolution.kind === 'none') {
    void vscode.window.showErrorMessage(
      `Afterburner: no function at line ${resolution.line + 1}. Put the cursor inside a function or method (or select it) and run "${kind === 'profile' ? 'Profile function' : 'Optimize efficiency'}" again.`,
    );
    return undefined;
  }
  const target = resolution.target;
  const settings = readSettings(target.document.uri);
  const limits: Limits = { timeoutMs: settings.timeoutSeconds * 1000, memoryMb: settings.memoryMb };
  log.info(
    `${kind} ${target.name} in ${vscode.workspace.asRelativePath(target.document.uri)} (lines ${target.location.startLine + 1}–${target.location.endLine + 1})`,
  );

  const tests = await chooseTests(target, deps.workspaceState, log);
  if (tests.kind === 'cancelled') {
    log.info('No tests chosen; the run did not start.');
    return undefined;
  }
  const job = await collectJobFiles(target.document, target.language, tests.uris);
  if (job.testPaths.length === 0) {
    void vscode.window.showErrorMessage('Afterburner: the chosen test files could not be read.');
    return undefined;
  }
  log.info(`Tests (${tests.how}): ${job.testPaths.join(', ')}; ${job.files.length} file(s) go to the sandbox.`);
  const omitted = omittedNote(job.omitted ?? 0);
  if (omitted) log.warn(omitted);

  const python = await choosePythonForRun(target.document.uri, target.language, job.project?.root, settings, log);
  const selection = await deps.sandboxes.get(settings.backend, limits, python);
  if (selection.kind === 'error') {
    log.warn(selection.message);
    deps.noSandbox(selection.message, kind);
    return undefined;
  }
  return {
    target,
    job,
    testUris: tests.uris,
    settings,
    limits,
    sandbox: selection.sandbox,
    backend: selection.backend,
    ...(python ? { python, interpreterOrigin: pythonOrigin(python, selection.backend) } : {}),
  };
}

/**
 * Only JavaScript/TypeScript runs need the workspace (its node_modules hold their test runner);
 * a Python run gets nothing of the user's beyond the files it was sent.
 */
export function workspaceRootFor(p: Prepared): { workspaceRoot?: string; project?: ProjectMount } {
  if (p.job.project) return { project: p.job.project };
  return harnessOf(p.target.language).usesWorkspace && p.job.root.scheme === 'file'
    ? { workspaceRoot: p.job.root.fsPath }
    : {};
}

/** The profile job of the prepared function, with `files` (the original's by default). */
export function profileJob(p: Prepared, files: SandboxJob['files'] = p.job.files): SandboxJob {
  return {
    language: p.target.language,
    files,
    modulePath: p.job.modulePath,
    testPaths: p.job.testPaths,
    target: p.target.name,
    mode: { kind: 'profile' },
    limits: p.limits,
    ...workspaceRootFor(p),
  };
}
