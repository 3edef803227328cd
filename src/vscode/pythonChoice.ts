/**
 * The extension's choice of Python for a run: the setting `afterburner.python.interpreter`, the
 * interpreter selected in the Python extension, then the project's own environments (see
 * src/languages/python/interpreter.ts); in Docker the image's Python, from the setting
 * `afterburner.sandbox.image` or the project's dev container image when there is one.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { Language } from '../core/sandboxTypes';
import { findDevContainerImage } from '../adapters/devContainerImage';
import type { ProjectImage } from '../adapters/dockerSandbox';
import {
  describeInterpreterSource,
  expandInterpreterSetting,
  findPythonInterpreter,
  type InterpreterChoice,
} from '../languages/python/interpreter';
import { harnessOf } from '../languages/registry';
import type { Settings } from './configuration';
import { PYTHON_EXTENSION_ID, pythonExtensionInterpreter } from './pythonExtension';

export interface PythonForRun {
  readonly choice: InterpreterChoice;
  readonly projectImage?: ProjectImage;
}

export async function choosePythonForRun(
  uri: vscode.Uri,
  language: Language,
  projectRoot: string | undefined,
  settings: Settings,
  log: vscode.LogOutputChannel,
): Promise<PythonForRun | undefined> {
  if (harnessOf(language).runtime !== 'cpython') return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
  const named = settings.pythonInterpreter.trim();
  // The Python extension is asked only when the setting leaves the choice open.
  const selected =
    named === ''
      ? await pythonExtensionInterpreter(vscode.extensions.getExtension(PYTHON_EXTENSION_ID), uri, log)
      : undefined;
  const choice = findPythonInterpreter({
    ...(named !== '' ? { named: { path: expandInterpreterSetting(named, folder), source: 'setting' as const } } : {}),
    ...(selected !== undefined ? { selected } : {}),
    env: process.env,
    ...((projectRoot ?? folder) !== undefined ? { projectRoot: projectRoot ?? folder } : {}),
  });
  log.info(`Python: ${choice.command} (${describeInterpreterSource(choice.source)}).`);
  const projectImage = imageFor(settings, [projectRoot, folder], log);
  return { choice, ...(projectImage ? { projectImage } : {}) };
}

function imageFor(
  settings: Settings,
  roots: readonly (string | undefined)[],
  log: vscode.LogOutputChannel,
): ProjectImage | undefined {
  if (settings.sandboxImage !== '')
    return { tag: settings.sandboxImage, origin: 'the setting afterburner.sandbox.image' };
  for (const root of new Set(roots)) {
    if (root === undefined) continue;
    const found = findDevContainerImage(root);
    if (found.kind === 'image') return { tag: found.image, origin: path.relative(root, found.file) };
    if (found.kind === 'dockerfile')
      log.info(
        `${found.file} builds its image from a Dockerfile: in Docker, Python runs in Afterburner's image unless afterburner.sandbox.image names the built one.`,
      );
  }
  return undefined;
}

/** How the panel and the log name the interpreter's origin for a backend. */
export function pythonOrigin(python: PythonForRun, backend: 'docker' | 'local'): string {
  if (backend === 'docker')
    return python.projectImage
      ? `${describeInterpreterSource('image')} ${python.projectImage.tag} (from ${python.projectImage.origin})`
      : `${describeInterpreterSource('image')} (Afterburner's image)`;
  return describeInterpreterSource(python.choice.source);
}
