/**
 * What a sandbox run needs from the editor's files. Files on disk go as the CLI sends them
 * (src/cli/sandboxJobInput.ts): a Python project runs in place (its root mounted read-only, the
 * module and tests as the editor has them as overlays); a JavaScript/TypeScript project is copied
 * from its root, the editor's unsaved text in place of the disk's. Files not on disk (untitled,
 * remote): the module, tests and nearby files are copied at their workspace-relative paths; files
 * outside the workspace folder go under `_outside/`, because a job path may not leave the work dir.
 */
import * as vscode from 'vscode';
import type { Language, ProjectMount, SourceFile } from '../core/sandboxTypes';
import { sandboxJobInput } from '../cli/sandboxJobInput';
import { languageOf } from '../languages/registry';
import { relativePath, rootOf } from './testDiscovery';

export interface JobFiles {
  readonly root: vscode.Uri;
  readonly files: readonly SourceFile[];
  readonly modulePath: string;
  readonly testPaths: readonly string[];
  /** Set when the run sees the project in place; `files` are then overlays. */
  readonly project?: ProjectMount;
  /** Files a copy left out (past its size caps), to be said. */
  readonly omitted?: number;
}

/** The text of an open editor (unsaved edits count), by file path. */
function editorText(fsPath: string): string | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === fsPath)?.getText();
}

/**
 * A run on files saved under a folder: built as the CLI builds it (sandboxJobInput.ts), the
 * editor's unsaved text in place of the disk's.
 */
function onDiskJobFiles(
  document: vscode.TextDocument,
  language: Language,
  testUris: readonly vscode.Uri[],
): JobFiles | undefined {
  if (document.uri.scheme !== 'file' || testUris.some((u) => u.scheme !== 'file')) return undefined;
  const input = sandboxJobInput(
    language,
    document.uri.fsPath,
    testUris.map((u) => u.fsPath),
    editorText,
  );
  if (input.kind !== 'ok') return undefined;
  const { files, modulePath, testPaths, omitted, project } = input;
  return {
    root: vscode.Uri.file(project?.root ?? input.root),
    files,
    modulePath,
    testPaths,
    omitted,
    ...(project ? { project } : {}),
  };
}

const MAX_SUPPORT_FILES = 80;
const MAX_FILE_BYTES = 256 * 1024;
const MAX_TOTAL_BYTES = 4 * 1024 * 1024;

export async function collectJobFiles(
  document: vscode.TextDocument,
  language: Language,
  testUris: readonly vscode.Uri[],
): Promise<JobFiles> {
  const onDisk = onDiskJobFiles(document, language, testUris);
  if (onDisk) return onDisk;
  const root = rootOf(document.uri);
  const files = new Map<string, string>();
  const modulePath = jobPath(root, document.uri);
  files.set(modulePath, document.getText());
  const testPaths: string[] = [];
  for (const uri of testUris) {
    const path = jobPath(root, uri);
    const text = await readCurrentText(uri);
    if (text === undefined) continue;
    files.set(path, text);
    testPaths.push(path);
  }
  let total = [...files.values()].reduce((sum, text) => sum + text.length, 0);
  let added = 0;
  for (const uri of await supportFiles(root, language, [document.uri, ...testUris])) {
    if (added >= MAX_SUPPORT_FILES || total >= MAX_TOTAL_BYTES) break;
    const path = jobPath(root, uri);
    if (files.has(path)) continue;
    const text = await readCurrentText(uri);
    if (text === undefined || total + text.length > MAX_TOTAL_BYTES) continue;
    files.set(path, text);
    total += text.length;
    added++;
  }
  return { root, files: [...files].map(([path, content]) => ({ path, content })), modulePath, testPaths };
}

function jobPath(root: vscode.Uri, uri: vscode.Uri): string {
  const relative = relativePath(root, uri);
  return relative.startsWith('../') ? `_outside/${uri.path.split('/').pop() ?? 'file'}` : relative;
}

/** Siblings of the module and tests in the same language, plus package markers up to the root. */
async function supportFiles(
  root: vscode.Uri,
  language: Language,
  anchors: readonly vscode.Uri[],
): Promise<vscode.Uri[]> {
  const extensions = languageOf(language).jobFiles.siblingExtensions;
  const found: vscode.Uri[] = [];
  const seenDirs = new Set<string>();
  for (const anchor of anchors) {
    const dir = vscode.Uri.joinPath(anchor, '..');
    if (seenDirs.has(dir.toString()) || relativePath(root, dir).startsWith('..')) continue;
    seenDirs.add(dir.toString());
    for (const [name, type] of await listDir(dir)) {
      if (type === vscode.FileType.File && extensions.some((ext) => name.endsWith(ext)) && name !== 'package-lock.json')
        found.push(vscode.Uri.joinPath(dir, name));
    }
  }
  // Package markers: Python packages need their __init__.py / conftest.py; Node needs package.json's "type".
  const markers = languageOf(language).jobFiles.packageMarkers;
  for (const dir of ancestorsUpTo(root, anchors)) {
    for (const marker of markers) found.push(vscode.Uri.joinPath(dir, marker));
  }
  const exists = await Promise.all(
    found.map((u) =>
      vscode.workspace.fs.stat(u).then(
        (s) => s.size <= MAX_FILE_BYTES,
        () => false,
      ),
    ),
  );
  return found.filter((_, i) => exists[i]);
}

function ancestorsUpTo(root: vscode.Uri, anchors: readonly vscode.Uri[]): vscode.Uri[] {
  const dirs = new Map<string, vscode.Uri>();
  for (const anchor of anchors) {
    let dir = vscode.Uri.joinPath(anchor, '..');
    for (let depth = 0; depth < 20 && !relativePath(root, dir).startsWith('..'); depth++) {
      dirs.set(dir.toString(), dir);
      if (dir.path === root.path || dir.path === '/') break;
      dir = vscode.Uri.joinPath(dir, '..');
    }
  }
  return [...dirs.values()];
}

async function listDir(dir: vscode.Uri): Promise<[string, vscode.FileType][]> {
  try {
    return await vscode.workspace.fs.readDirectory(dir);
  } catch {
    return [];
  }
}

/** The editor's text when the file is open (unsaved edits count), else the file on disk. */
async function readCurrentText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_FILE_BYTES) return undefined;
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}
