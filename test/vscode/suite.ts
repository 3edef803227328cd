// Integration checks that run inside a VS Code extension host (desktop through
// @vscode/test-electron, or code-server in the e2e run). No test framework: `run()` runs each
// check, prints one line per check and a closing count, and rejects when any failed.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { replies, startScriptedOpenAiServer } from '../support/scriptedOpenAiServer';
import { errorMessage } from '../../src/core/errorMessage';

const EXTENSION_ID = 'afterburner.afterburner-vscode';
const COMMANDS = ['afterburner.optimize', 'afterburner.profile', 'afterburner.setApiKey', 'afterburner.showPanel'];

const FASTER_PAIRS = `def count_pairs(values, target):
    """Number of index pairs i < j with values[i] + values[j] == target."""
    seen = {}
    count = 0
    for value in values:
        count += seen.get(target - value, 0)
        seen[value] = seen.get(value, 0) + 1
    return count`;

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
  const line = document
    .getText()
    .split('\n')
    .findIndex((text) => text.includes(lineText));
  assert.ok(line >= 0, `${name} has a line with ${lineText}`);
  const position = new vscode.Position(line, document.lineAt(line).firstNonWhitespaceCharacterIndex + 4);
  editor.selection = new vscode.Selection(position, position);
  return editor;
}

/**
 * Runs Optimize efficiency on count_pairs in pairs.py against a fresh scripted model offering
 * FASTER_PAIRS, then `body` with the editor; the model server is closed afterwards.
 */
async function afterOptimizingPairs(
  body: (editor: vscode.TextEditor, original: string) => Promise<void>,
): Promise<void> {
  const model = await startScriptedOpenAiServer({ models: ['scripted-model'] });
  try {
    model.enqueue(replies.code('python', FASTER_PAIRS));
    await vscode.workspace
      .getConfiguration('afterburner')
      .update('llm.baseUrl', model.baseUrl, vscode.ConfigurationTarget.Workspace);
    const editor = await openAt('pairs.py', 'def count_pairs');
    const original = editor.document.getText();
    await vscode.commands.executeCommand('afterburner.optimize');
    assert.equal(model.pending(), 0, 'the model was asked for a candidate');
    await body(editor, original);
  } finally {
    await model.close();
  }
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
    name: 'optimizing a fixture function measures it in the local sandbox, and Accept is one undo step',
    run: async () => {
      const model = await startScriptedOpenAiServer({ models: ['scripted-model'] });
      try {
        model.enqueue(replies.code('python', FASTER_PAIRS));
        // The extension host is this process: the key comes from its environment, as in a container.
        process.env['AFTERBURNER_API_KEY'] = 'sk-extension-host-suite';
        const config = vscode.workspace.getConfiguration('afterburner');
        const target = vscode.ConfigurationTarget.Workspace;
        await config.update('llm.provider', 'openai-compatible', target);
        await config.update('llm.baseUrl', model.baseUrl, target);
        await config.update('llm.model', 'scripted-model', target);
        await config.update('sandbox.backend', 'local', target);
        await config.update('optimize.iterations', 1, target);
        await config.update('optimize.candidates', 1, target);

        const editor = await openAt('pairs.py', 'def count_pairs');
        const original = editor.document.getText();
        // The command resolves when the run has finished.
        await vscode.commands.executeCommand('afterburner.optimize');
        assert.equal(model.pending(), 0, 'the model was asked for a candidate');
        assert.equal(editor.document.getText(), original, 'a run never edits the file by itself');

        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
          'vscode.executeCodeLensProvider',
          editor.document.uri,
        );
        const offer = lenses
          .map((lens) => lens.command?.title ?? '')
          .find((title) => /iteration 1, [\d.]+× faster/.test(title));
        assert.ok(
          offer,
          `a CodeLens offers the measured iteration; lenses: ${lenses.map((l) => l.command?.title).join(' | ')}`,
        );

        await vscode.commands.executeCommand('afterburner.acceptIteration');
        assert.match(editor.document.getText(), /seen\.get\(target - value, 0\)/, 'Accept wrote the candidate');
        await vscode.window.showTextDocument(editor.document);
        await vscode.commands.executeCommand('undo');
        assert.equal(editor.document.getText(), original, 'one undo restores the original');
      } finally {
        await model.close();
      }
    },
  },
  {
    name: 'Show diff opens the inline view: both versions in place, Accept/Reject above the change, side by side on request; Reject leaves the file as it was',
    run: () =>
      afterOptimizingPairs(async (editor, original) => {
        await vscode.commands.executeCommand('afterburner.showDiff');
        const inline = vscode.window.activeTextEditor;
        assert.equal(inline?.document.uri.scheme, 'afterburner-inline', 'Show diff opened the inline view');
        assert.equal(inline.document.languageId, 'python', "the inline view is in the file's language");
        const text = inline.document.getText();
        assert.match(text, /for j in range/, 'the removed lines are shown');
        assert.match(text, /seen\.get\(target - value, 0\)/, 'the added lines are shown');
        assert.ok(inline.selection.active.line > 0, 'the view is placed at the first change');

        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
          'vscode.executeCodeLensProvider',
          inline.document.uri,
        );
        const titles = lenses.map((lens) => lens.command?.title ?? '');
        for (const wanted of [/Iteration 1, .*\+\d+ −\d+ lines/, /Accept/, /Reject/, /Side by side/]) {
          assert.ok(
            titles.some((title) => wanted.test(title)),
            `a CodeLens matches ${String(wanted)}; lenses: ${titles.join(' | ')}`,
          );
        }
        assert.equal(editor.document.getText(), original, 'showing the diff does not touch the file');

        await vscode.commands.executeCommand('afterburner.showDiffSideBySide', inline.document.uri);
        const tabs = () => vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.input));
        assert.ok(
          tabs().some(
            (input) => input instanceof vscode.TabInputTextDiff && input.modified.scheme === 'afterburner-candidate',
          ),
          'the side-by-side diff editor opened',
        );
        assert.ok(
          !tabs().some((input) => input instanceof vscode.TabInputText && input.uri.scheme === 'afterburner-inline'),
          'the inline view gave way to it',
        );
        await vscode.commands.executeCommand('afterburner.showDiffInline');
        assert.equal(
          vscode.window.activeTextEditor?.document.uri.scheme,
          'afterburner-inline',
          'and back to the inline view',
        );

        const reject = lenses.find((lens) => lens.command?.title.includes('Reject'))?.command;
        assert.ok(reject, 'a Reject lens');
        await vscode.commands.executeCommand(reject.command, ...(reject.arguments ?? []));
        assert.ok(
          !tabs().some((input) => input instanceof vscode.TabInputText && input.uri.scheme === 'afterburner-inline'),
          'Reject closed the inline view',
        );
        assert.equal(editor.document.getText(), original, 'Reject left the file as it was');
        assert.equal(editor.document.isDirty, false, 'and unmodified');
      }),
  },
  {
    name: 'Accept refuses, changing nothing, when the function was edited while the run went on',
    run: () =>
      afterOptimizingPairs(async (editor) => {
        // The user edits the function after the run measured it.
        const line = editor.document
          .getText()
          .split('\n')
          .findIndex((text) => text.includes('def count_pairs'));
        const edited = await editor.edit((edit) =>
          edit.insert(new vscode.Position(line + 1, 0), '    # edited while the run went on\n'),
        );
        assert.ok(edited, 'the edit applied');
        const before = editor.document.getText();

        // Accept asks with a warning (it waits for the user), so look at the document meanwhile.
        const accepting = vscode.commands.executeCommand('afterburner.acceptIteration');
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.equal(editor.document.getText(), before, 'the edited function is left as the user wrote it');
        await vscode.commands.executeCommand('notifications.clearAll');
        await Promise.race([accepting, new Promise((resolve) => setTimeout(resolve, 5000))]);
        assert.equal(editor.document.getText(), before, 'nothing changed after the warning closed');
        await vscode.commands.executeCommand('undo');
      }),
  },
];

export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const check of checks) {
    try {
      await check.run();
      console.log(`ok   ${check.name}`);
    } catch (error) {
      const message = errorMessage(error);
      failures.push(`${check.name}: ${message}`);
      console.log(`FAIL ${check.name}: ${message}`);
    }
  }
  console.log(`${checks.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length > 0)
    throw new Error(`${failures.length} VS Code integration check(s) failed:\n${failures.join('\n')}`);
}
