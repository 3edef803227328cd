/**
 * One sandbox per backend setting, reused across runs (Docker keeps warm containers), and every
 * one of them disposed when the extension stops, so no container or process outlives the window.
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { Limits, Sandbox } from '../core/sandboxTypes';
import { probePython } from '../adapters/harnessRun';
import { selectSandbox, type SandboxSelection } from '../adapters/sandboxSelection';
import type { BackendSetting } from './configuration';
import type { PythonForRun } from './pythonChoice';

export class SandboxProvider {
  private readonly created: Sandbox[] = [];
  private current: { readonly key: string; readonly selection: SandboxSelection } | undefined;

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** `python`: the run's interpreter (local sandbox) and image (Docker); a new choice makes a new sandbox. */
  async get(backend: BackendSetting, limits: Limits, python?: PythonForRun): Promise<SandboxSelection> {
    // python3 on PATH goes as the binary it resolves to, so the sandbox binds that one (see localPython in src/cli).
    const named =
      python === undefined
        ? undefined
        : python.choice.source === 'PATH'
          ? probePython(python.choice.command)?.executable
          : python.choice.command;
    const key = JSON.stringify([backend, limits.memoryMb, named ?? null, python?.projectImage?.tag ?? null]);
    if (this.current?.key === key && this.current.selection.kind === 'ok') return this.current.selection;
    const selection = await selectSandbox(backend, {
      defaultLimits: limits,
      local: {
        harnessDir: path.join(this.extensionPath, 'sandbox'),
        ...(named !== undefined ? { python: named } : {}),
      },
      ...(python?.projectImage ? { projectImage: python.projectImage } : {}),
      log: (line) => this.log.debug(line),
    });
    if (selection.kind === 'ok') {
      this.created.push(selection.sandbox);
      this.current = { key, selection };
      this.log.info(
        `Sandbox: ${selection.backend} (${selection.reason}); isolation: ${selection.sandbox.describe().isolation}`,
      );
    }
    return selection;
  }

  /** Stops every sandbox made so far (warm containers, child processes). */
  async dispose(): Promise<void> {
    const all = this.created.splice(0);
    this.current = undefined;
    await Promise.allSettled(all.map((s) => s.dispose()));
  }
}
