/**
 * Finds the tests of a function: remembered from last time, else by the same discovery the CLI uses
 * (src/languages/testDiscovery.ts) over the workspace folder through vscode.workspace.findFiles, a
 * QuickPick in its ranking when several match, an open dialog when none does.
 */
import * as vscode from 'vscode';
import type { Language } from '../core/sandboxTypes';
import { discoverTests, type ProjectFiles } from '../languages/testDiscovery';
import type { RankedTestFile } from '../languages/testFileRanking';
import { languageOf } from '../languages/registry';
import type { FunctionTarget } from './functionTarget';

export type TestChoice =
  | { readonly kind: 'ok'; readonly uris: readonly vscode.Uri[]; readonly how: 'remembered' | 'found' | 'picked' }
  | { readonly kind: 'cancelled' };

const MAX_FILES = 20_000;
/** Folders never searched: dependencies, virtual environments, VCS folders and build output (one flat group: ripgrep refuses nested {…}). */
const EXCLUDED_FOLDERS =
  '{**/node_modules/**,**/.venv/**,**/venv/**,**/env/**,**/site-packages/**,**/dist/**,**/build/**,**/coverage/**,**/out/**,**/.git/**,**/.tox/**,**/__pycache__/**}';
const MAX_READ_BYTES = 256 * 1024;
const PICK_FILE = '$(folder-opened) Pick a test file…';

export interface TestDiscoveryOptions {
  /** Ask again even when a choice is remembered. */
  readonly forcePick?: boolean;
}

export async function chooseTests(
  target: FunctionTarget,
  memory: vscode.Memento,
  log: vscode.LogOutputChannel,
  options: TestDiscoveryOptions = {},
): Promise<TestChoice> {
  const key = memoryKey(target);
  if (!options.forcePick) {
    const remembered = await stillThere(memory.get<string[]>(key) ?? []);
    if (remembered.length > 0) return { kind: 'ok', uris: remembered, how: 'remembered' };
  }
  const ranked = await findRankedTests(target);
  log.info(
    `Tests for ${target.name}: ${ranked.length === 0 ? 'none found' : ranked.map((r) => `${r.path} (${r.reason})`).join('; ')}`,
  );
  const root = rootOf(target.document.uri);
  let uris: vscode.Uri[] | undefined;
  let how: 'found' | 'picked' = 'found';
  if (ranked.length === 0) {
    const choice = await vscode.window.showWarningMessage(
      `Afterburner: no tests found for ${target.name}. It looks for ${conventionText(target.language)} that mention the function. Tests are needed to check candidates and to record inputs for measuring.`,
      'Pick a test file…',
    );
    if (choice === undefined) return { kind: 'cancelled' };
    uris = await pickWithDialog(target.language, root);
    how = 'picked';
  } else if (ranked.length === 1 && !options.forcePick) {
    uris = [vscode.Uri.joinPath(root, ranked[0]?.path ?? '')];
  } else {
    const picked = await quickPickTests(target, ranked);
    if (picked === 'dialog') {
      uris = await pickWithDialog(target.language, root);
      how = 'picked';
    } else {
      uris = picked === undefined ? undefined : [vscode.Uri.joinPath(root, picked.path)];
    }
  }
  if (!uris || uris.length === 0) return { kind: 'cancelled' };
  await memory.update(
    key,
    uris.map((u) => u.toString()),
  );
  return { kind: 'ok', uris, how };
}

export function rootOf(uri: vscode.Uri): vscode.Uri {
  return vscode.workspace.getWorkspaceFolder(uri)?.uri ?? vscode.Uri.joinPath(uri, '..');
}

async function findRankedTests(target: FunctionTarget): Promise<readonly RankedTestFile[]> {
  const root = rootOf(target.document.uri);
  const discovery = await discoverTests(workspaceFiles(root), {
    language: target.language,
    modulePath: relativePath(root, target.document.uri),
    functionName: target.name,
  });
  return discovery.ranked;
}

/** Discovery's file-listing port over one workspace folder. */
function workspaceFiles(root: vscode.Uri): ProjectFiles {
  return {
    async list(extensions) {
      const glob = extensions.length === 1 ? `**/*.${extensions[0] ?? ''}` : `**/*.{${extensions.join(',')}}`;
      const found = await vscode.workspace.findFiles(
        new vscode.RelativePattern(root, glob),
        EXCLUDED_FOLDERS,
        MAX_FILES,
      );
      const paths = found.map((uri) => relativePath(root, uri)).filter((p) => !p.startsWith('../'));
      return { paths, truncated: found.length >= MAX_FILES };
    },
    read: (path) => readText(vscode.Uri.joinPath(root, ...path.split('/'))),
  };
}

async function quickPickTests(
  target: FunctionTarget,
  ranked: readonly RankedTestFile[],
): Promise<RankedTestFile | 'dialog' | undefined> {
  type Item = vscode.QuickPickItem & { readonly file?: RankedTestFile };
  const items: Item[] = [
    ...ranked.map((file): Item => ({ label: file.path, description: file.reason, file })),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: PICK_FILE },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Afterburner: tests for ${target.name}`,
    placeHolder: 'Which test file exercises this function? (remembered for next time)',
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  return picked.file ?? 'dialog';
}

async function pickWithDialog(language: Language, root: vscode.Uri): Promise<vscode.Uri[] | undefined> {
  const filters = { ...languageOf(language).tests.dialogFilters };
  return vscode.window.showOpenDialog({
    canSelectMany: true,
    canSelectFolders: false,
    defaultUri: root,
    filters,
    openLabel: 'Use as tests',
    title: 'Afterburner: pick test files',
  });
}

async function stillThere(stored: readonly string[]): Promise<vscode.Uri[]> {
  const uris = stored.map((s) => vscode.Uri.parse(s));
  const checks = await Promise.all(
    uris.map((u) =>
      vscode.workspace.fs.stat(u).then(
        () => true,
        () => false,
      ),
    ),
  );
  return checks.every(Boolean) ? uris : [];
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_READ_BYTES) return undefined;
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

export function relativePath(root: vscode.Uri, uri: vscode.Uri): string {
  const base = root.path.endsWith('/') ? root.path : root.path + '/';
  if (uri.path.startsWith(base)) return uri.path.slice(base.length);
  const up = base.split('/').filter(Boolean);
  const down = uri.path.split('/').filter(Boolean);
  let common = 0;
  while (common < up.length && common < down.length && up[common] === down[common]) common++;
  return [...up.slice(common).map(() => '..'), ...down.slice(common)].join('/');
}

function memoryKey(target: FunctionTarget): string {
  return `afterburner.tests:${target.document.uri.toString()}#${target.name}`;
}

function conventionText(language: Language): string {
  return languageOf(language).tests.description;
}
