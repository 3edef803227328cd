/**
 * The tests the CLI runs when `--tests` is not given: the shared discovery over the project on
 * disk, the top-ranked files that import the module and mention the function, and a line on stderr
 * saying which were picked and why.
 */
import path from 'node:path';
import type { Language } from '../core/sandboxTypes';
import { discoverTests } from '../languages/testDiscovery';
import { pickTestFiles } from '../languages/testFileRanking';
import { projectFilesOnDisk, projectRootOf } from './projectFilesOnDisk';

export type TestSelection =
  | { readonly kind: 'found'; readonly tests: readonly string[]; readonly explanation: readonly string[] }
  | { readonly kind: 'none'; readonly message: string };

export async function selectTests(file: string, language: Language, functionName: string): Promise<TestSelection> {
  const root = projectRootOf(file);
  const modulePath = path.relative(root, path.resolve(file)).split(path.sep).join('/');
  const discovery = await discoverTests(projectFilesOnDisk(root), { language, modulePath, functionName });
  const pick = pickTestFiles(discovery.ranked);
  const shown = path.relative(process.cwd(), root);
  const where = `under ${shown === '' ? '.' : shown.startsWith('..') ? root : shown}`;
  const config = discovery.runnerConfig ? ` and ${discovery.runnerConfig}` : '';
  if (pick.files.length === 0) {
    const seen =
      discovery.testFiles === 0
        ? 'found no test files'
        : `found ${discovery.testFiles} test file(s), none of which imports ${modulePath} or mentions '${functionName}'`;
    return {
      kind: 'none',
      message:
        `No tests found for '${functionName}': looked for ${discovery.lookedFor}${config} ${where} and ${seen}` +
        `${discovery.truncated ? ' (the project is larger than discovery searches)' : ''}. ` +
        `Write one that imports the module and calls '${functionName}' (e.g. ${discovery.exampleTestPath}), ` +
        'or pass test files with --tests PATH (repeatable).',
    };
  }
  const explanation = [
    `tests found ${where} (${discovery.testFiles} test file(s) looked at${config ? `, patterns from ${discovery.runnerConfig}` : ''}):`,
    ...pick.files.map((f) => `  ${f.path}: ${f.reason}`),
    ...(pick.leftOut > 0
      ? [`  … and ${pick.leftOut} more like them left out; name them with --tests to run them`]
      : []),
  ];
  return { kind: 'found', tests: pick.files.map((f) => path.join(root, ...f.path.split('/'))), explanation };
}
