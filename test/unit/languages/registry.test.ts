import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGE_KINDS, imageKindFor } from '../../../src/adapters/sandboxImages';
import {
  LANGUAGES,
  findLanguage,
  harnessOf,
  languageByName,
  languageForEditor,
  languageForPath,
  languageIdsInWords,
  languageOf,
  supportedEditorLanguages,
  supportedExtensions,
} from '../../../src/languages/registry';

const SANDBOX_DIR = path.join(__dirname, '..', '..', '..', 'sandbox');

describe('the language registry', () => {
  it('finds a language by id, and throws a clear error for an id nobody registered', () => {
    expect(languageOf('python').displayName).toBe('Python');
    expect(languageOf('typescript').displayName).toBe('TypeScript');
    expect(findLanguage('go')).toBeUndefined();
    expect(() => languageOf('go')).toThrow(/No language support registered for 'go'/);
  });

  it('finds a language by the names problem files use', () => {
    expect(languageByName('python3')?.id).toBe('python');
    expect(languageByName('js')?.id).toBe('javascript');
    expect(languageByName('ts')?.id).toBe('typescript');
    expect(languageByName('typescript')?.id).toBe('typescript');
    expect(languageByName('rust')).toBeUndefined();
    expect(languageIdsInWords()).toBe('python, javascript or typescript');
  });

  it('finds a language by file ending like path.extname does (case-insensitive, no ending for dot files)', () => {
    expect(languageForPath('pkg/sorter.py')?.id).toBe('python');
    expect(languageForPath('C:\\work\\Sorter.PY')?.id).toBe('python');
    expect(languageForPath('src/a.cjs')?.id).toBe('javascript');
    expect(languageForPath('src/App.tsx')?.id).toBe('typescript');
    expect(languageForPath('src/util.mts')?.id).toBe('typescript');
    expect(languageForPath('.py')).toBeUndefined();
    expect(languageForPath('dir.py/README')).toBeUndefined();
    expect(languageForPath('main.go')).toBeUndefined();
    expect(supportedExtensions()).toEqual(['.py', '.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx']);
  });

  it("finds a language by VS Code's language id, React flavours included", () => {
    expect(languageForEditor('python')?.id).toBe('python');
    expect(languageForEditor('javascriptreact')?.id).toBe('javascript');
    expect(languageForEditor('typescriptreact')?.id).toBe('typescript');
    expect(languageForEditor('plaintext')).toBeUndefined();
    expect(supportedEditorLanguages()).toEqual([
      'python',
      'javascript',
      'javascriptreact',
      'typescript',
      'typescriptreact',
    ]);
  });

  it('gives every registered language a harness that exists in sandbox/ with its Dockerfile', () => {
    for (const language of LANGUAGES) {
      expect(existsSync(path.join(SANDBOX_DIR, language.harness.script)), language.id).toBe(true);
      expect(existsSync(path.join(SANDBOX_DIR, `${language.harness.folder}.Dockerfile`)), language.id).toBe(true);
    }
    expect(IMAGE_KINDS).toEqual(['python', 'node']);
    expect(imageKindFor('typescript')).toBe('node');
  });

  it('claims each file ending and editor id for one language only', () => {
    const endings = LANGUAGES.flatMap((l) => l.extensions);
    const editorIds = LANGUAGES.flatMap((l) => l.vscodeLanguageIds);
    expect(new Set(endings).size).toBe(endings.length);
    expect(new Set(editorIds).size).toBe(editorIds.length);
    for (const language of LANGUAGES) {
      for (const ending of language.extensions) expect(languageForPath(`m${ending}`)).toBe(language);
    }
  });

  it('starts the Python harness isolated (-I) and bounds the Node heap under the memory limit', () => {
    expect(harnessOf('python').command({ harnessDir: '/h', memoryMb: 512 })).toEqual({
      command: 'python3',
      args: ['-I', '/h/python/harness.py', 'job.json'],
    });
    expect(
      harnessOf('javascript').command({ harnessDir: '/h', jobFile: '/w/job.json', node: '/n', memoryMb: 512 }),
    ).toEqual({
      command: '/n',
      args: [
        '--max-old-space-size=384',
        '--min-semi-space-size=16',
        '--max-semi-space-size=16',
        // The collector on the measuring thread alone (see nodeModules.ts).
        '--single-threaded-gc',
        '/h/node/harness.mjs',
        '/w/job.json',
      ],
    });
    // The young generation (three semi-spaces) stays a small part of a small limit.
    expect(harnessOf('javascript').command({ harnessDir: '/h', memoryMb: 128 }).args.slice(0, 3)).toEqual([
      '--max-old-space-size=96',
      '--min-semi-space-size=4',
      '--max-semi-space-size=4',
    ]);
    expect(harnessOf('python').addressSpaceLimit).toBe(true);
    expect(harnessOf('typescript').addressSpaceLimit).toBe(false);
  });

  it('sends the workspace (its test runner) only with JavaScript and TypeScript runs', () => {
    expect(harnessOf('python').usesWorkspace).toBe(false);
    expect(harnessOf('javascript').usesWorkspace).toBe(true);
    expect(harnessOf('typescript').usesWorkspace).toBe(true);
  });

  it('transpiles TypeScript jobs, and JavaScript jobs whose tests are TypeScript, but not plain JavaScript', () => {
    const transpile = harnessOf('javascript').transpile;
    expect(transpile?.needed('typescript', ['m.ts'])).toBe(true);
    expect(transpile?.needed('javascript', ['m.js', 'm.test.ts'])).toBe(true);
    expect(transpile?.needed('javascript', ['m.js', 'm.test.js', 'types.d.ts'])).toBe(false);
    expect(harnessOf('python').transpile).toBeUndefined();
  });
});
