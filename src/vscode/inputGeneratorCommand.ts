/**
 * "Afterburner: Propose input generator": asks the configured model for an
 * `afterburner_inputs(size)` for the function at the cursor, shows it as a diff against the test
 * file, and writes it there only on "Add to tests" (one WorkspaceEdit, one undo; the file is not
 * saved). Then it offers to profile the function at the configured sizes.
 */
import * as vscode from 'vscode';
import { extractCandidate } from '../core/extractCode';
import { INPUT_GENERATOR_NAME, definesInputGenerator } from '../core/inputGenerator';
import { planGeneratorInsertion } from '../core/inputGeneratorEdit';
import { inputGeneratorMessages } from '../core/inputGeneratorPrompt';
import { languageOf } from '../languages/registry';
import { openSettings, readSettings } from './configuration';
import { resolveTarget, type FunctionTarget } from './functionTarget';
import { setUpModel } from './modelSetup';
import { chooseTests, relativePath, rootOf } from './testDiscovery';
import { errorDetail, errorMessage } from '../core/errorMessage';

export const PROPOSAL_SCHEME = 'afterburner-proposal';
const ADD = 'Add to tests';
const DISCARD = 'Discard';
const PROFILE = 'Profile with sizes';

/** Read-only documents holding proposed test files, keyed by their URI. */
class ProposalDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  delete(uri: vscode.Uri): void {
    this.texts.delete(uri.toString());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export class InputGeneratorCommand {
  static register(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
    const documents = new ProposalDocuments();
    const command = new InputGeneratorCommand(context, log, documents);
    return vscode.Disposable.from(
      vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, documents),
      documents,
      vscode.commands.registerCommand('afterburner.proposeInputs', () =>
        command.run().catch((error: unknown) => {
          log.error(`Propose input generator failed: ${errorDetail(error)}`);
          void vscode.window.showErrorMessage(
            `Afterburner: proposing an input generator stopped: ${errorMessage(error)}`,
          );
        }),
      ),
    );
  }

  private proposals = 0;

  private constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly documents: ProposalDocuments,
  ) {}

  async run(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor)
      return void vscode.window.showErrorMessage(
        'Afterburner: open a Python, JavaScript or TypeScript file and put the cursor in a function first.',
      );
    const resolution = await resolveTarget(editor.document, editor.selection);
    if (resolution.kind !== 'ok')
      return void vscode.window.showErrorMessage(
        'Afterburner: put the cursor inside the function to write an input generator for.',
      );
    const target = resolution.target;
    const tests = await chooseTests(target, this.context.workspaceState, this.log);
    if (tests.kind === 'cancelled') return;
    const testUri = tests.uris[0] as vscode.Uri;
    const testDocument = await vscode.workspace.openTextDocument(testUri);
    const testLabel = vscode.workspace.asRelativePath(testUri);
    if (definesInputGenerator(languageOf(target.language), testDocument.getText())) {
      const choice = await vscode.window.showInformationMessage(
        `Afterburner: ${testLabel} already defines ${INPUT_GENERATOR_NAME}.`,
        PROFILE,
      );
      if (choice === PROFILE) await this.profile(target);
      return;
    }

    const settings = readSettings(target.document.uri);
    const setup = await setUpModel(settings, this.context.secrets);
    if (setup.kind === 'problem') {
      const action = setup.problem === 'no_key' ? 'Set API key' : 'Select model';
      const choice = await vscode.window.showErrorMessage(`Afterburner: ${setup.message}`, action, 'Open settings');
      if (choice === 'Set API key') await vscode.commands.executeCommand('afterburner.setApiKey');
      if (choice === 'Select model') await vscode.commands.executeCommand('afterburner.selectModel');
      if (choice === 'Open settings') await openSettings('afterburner.llm');
      return;
    }
    const model = setup.model;
    const testText = testDocument.getText();
    const messages = inputGeneratorMessages({
      language: languageOf(target.language),
      target: target.name,
      functionCode: target.code,
      modulePath: relativePath(rootOf(target.document.uri), target.document.uri),
      testPath: testLabel,
      testCode: testText,
      sizes: settings.profileSizes,
    });
    this.log.info(`Asking ${model.describe()} for ${INPUT_GENERATOR_NAME} for ${target.name} (tests ${testLabel}).`);
    const reply = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Afterburner: asking ${model.describe()} for an input generator for ${target.name}`,
        cancellable: true,
      },
      (_progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return model.complete(messages, { temperature: 0.2 }, controller.signal);
      },
    );
    if (reply.kind === 'error') {
      if (reply.error === 'cancelled') return;
      this.log.warn(`Model error (${reply.error}): ${reply.message}`);
      return void vscode.window.showErrorMessage(
        `Afterburner: the model could not propose an input generator (${reply.error}): ${reply.message}`,
      );
    }
    const extracted = extractCandidate(languageOf(target.language), reply.text, INPUT_GENERATOR_NAME);
    if (extracted.kind === 'no_code') {
      this.log.warn(`No generator in the reply: ${extracted.reason}\n${reply.text.slice(0, 2000)}`);
      return void vscode.window.showWarningMessage(
        `Afterburner: the model's reply held no usable ${INPUT_GENERATOR_NAME} (${extracted.reason.replace(/^rejected: /, '')}). Try again, or write it by hand.`,
      );
    }
    await this.review(target, testDocument, testText, extracted.candidate, settings.profileSizes);
  }

  /** Shows the proposal as a diff of the test file; the file changes only on "Add to tests". */
  private async review(
    target: FunctionTarget,
    testDocument: vscode.TextDocument,
    testText: string,
    candidate: Parameters<typeof planGeneratorInsertion>[2],
    sizes: readonly number[],
  ): Promise<void> {
    const plan = planGeneratorInsertion(languageOf(target.language), testText, candidate);
    const name = testDocument.uri.path.split('/').pop() ?? 'tests';
    const proposalUri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${++this.proposals}/${name}` });
    this.documents.set(proposalUri, plan.result);
    await vscode.commands.executeCommand(
      'vscode.diff',
      testDocument.uri,
      proposalUri,
      `${name} ↔ with ${INPUT_GENERATOR_NAME} (proposed)`,
      { preview: true },
    );
    const choice = await vscode.window.showInformationMessage(
      `Afterburner: add the proposed ${INPUT_GENERATOR_NAME}(size) to ${name}?`,
      ADD,
      DISCARD,
    );
    await closeProposal(proposalUri);
    this.documents.delete(proposalUri);
    if (choice !== ADD) {
      this.log.info(`Proposed ${INPUT_GENERATOR_NAME} for ${target.name} discarded.`);
      return;
    }
    // The test file may have been edited while the proposal was shown: plan again on its text now.
    const now = testDocument.getText();
    const insertions =
      now === testText
        ? plan.insertions
        : planGeneratorInsertion(languageOf(target.language), now, candidate).insertions;
    const edit = new vscode.WorkspaceEdit();
    for (const insertion of insertions)
      edit.insert(testDocument.uri, testDocument.positionAt(insertion.offset), insertion.text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      return void vscode.window.showErrorMessage(
        `Afterburner: VS Code refused the edit to ${name}; nothing was changed.`,
      );
    }
    this.log.info(`Added ${INPUT_GENERATOR_NAME} to ${vscode.workspace.asRelativePath(testDocument.uri)} (not saved).`);
    const offer = await vscode.window.showInformationMessage(
      `Afterburner: added ${INPUT_GENERATOR_NAME} to ${name} (unsaved; undo removes it). Profile ${target.name} at sizes ${sizes.join(', ')}?`,
      PROFILE,
    );
    if (offer === PROFILE) await this.profile(target);
  }

  /** Profiles the function with the cursor back in it (the profile command reads the active editor). */
  private async profile(target: FunctionTarget): Promise<void> {
    const start = target.document.positionAt(target.location.start);
    await vscode.window.showTextDocument(target.document, {
      selection: new vscode.Range(start, start),
      preview: false,
    });
    await vscode.commands.executeCommand('afterburner.profile');
  }
}

async function closeProposal(uri: vscode.Uri): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((group) =>
    group.tabs.filter(
      (tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === uri.toString(),
    ),
  );
  if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
}
