// Integration checks that run inside a VS Code extension host (desktop through
// @vscode/test-electron, or code-server in the e2e run). No test framework: `run()` runs each
// check, prints one line per check and a closing count, and rejects when any failed.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';

const EXTENSION_ID = 'afterburner.afterburner-vscode';
const COMMANDS = ['afterburner.optimize', 'afterburner.profile', 'afterburner.setApiKey', 'afterburner.showPanel'];

interface Check {
  readonly name: string;
  readonly run: () => Promise<void>;
}

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

async function openAt(name: string, lineText: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(name));
  const editor = await vscode.window.showTextDocument(document);
  const line = document.getText().split('\n').findIndex((text) => text.includes(lineText));
  assert.ok(line >= 0, `${name} has a line with ${lineText}`);
  const position = new vscode.Position(line, document.lineAt(line).firstNonWhitespaceCharacterIndex + 4);
  editor.selection = new vscode.Selection(position, position);
  return editor;
}

const checks: readonly Check[] = [
  {
    name: 'the extension activates',
    run: async () => {
      const extension = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(extension, `${EXTENSION_ID} is installed`);
      await extension.activate();
      assert.equal(extension.isActive, true);
    },
  },
  {
    name: 'its commands are registered',
    run: async () => {
      const all = await vscode.commands.getCommands(true);
      const missing = COMMANDS.filter((command) => !all.includes(command));
      assert.deepEqual(missing, [], `missing commands: ${missing.join(', ')}`);
    },
  },
  {
    name: 'the panel opens',
    run: async () => {
      await vscode.commands.executeCommand('afterburner.showPanel');
    },
  },
  {
    name: 'profiling a fixture function in the local sandbox leaves the file unchanged',
    run: async () => {
      await vscode.workspace.getConfiguration('afterburner').update('sandbox.backend', 'local', vscode.ConfigurationTarget.Global);
      const editor = await openAt('pairs.py', 'def count_pairs');
      const before = editor.document.getText();
      await vscode.commands.executeCommand('afterburner.profile');
      assert.equal(editor.document.getText(), before, 'profiling does not edit the function');
      assert.equal(path.basename(editor.document.fileName), 'pairs.py');
    },
  },
];

export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const check of checks) {
    try {
      await check.run();
      console.log(`ok   ${check.name}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push(`${check.name}: ${message}`);
      console.log(`FAIL ${check.name}: ${message}`);
    }
  }
  console.log(`${checks.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length > 0) throw new Error(`${failures.length} VS Code integration check(s) failed:\n${failures.join('\n')}`);
}
