import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'child_process',
  'fs',
  'fs/promises',
  'os',
  'path',
  'net',
  'http',
  'https',
  'crypto',
  'worker_threads',
  'util',
  'stream',
  'events',
];
const nodeSpecifiers = [...nodeBuiltins, ...nodeBuiltins.map((m) => `node:${m}`)];

// What pure layers (core, panel) never import: time, processes, files, network and models arrive
// through ports.
const OUTSIDE_WORLDS = [
  'vscode',
  'openai',
  'dockerode',
  'child_process',
  'node:child_process',
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
];

// The files of src/languages that run only on the host and may use Node modules (and esbuild).
const LANGUAGE_HOST_FILES = [
  'src/languages/registry.ts',
  'src/languages/projectTests.ts',
  'src/languages/vcsRoot.ts',
  'src/languages/python/projectRoot.ts',
  'src/languages/python/interpreter.ts',
  'src/languages/python/poetryEnvironment.ts',
  'src/languages/python/pipenvEnvironment.ts',
  'src/languages/python/condaEnvironment.ts',
  'src/languages/python/venvPython.ts',
  'src/languages/node/projectRoot.ts',
  'src/languages/python/pythonModule.ts',
  'src/languages/node/nodeModules.ts',
  'src/languages/node/typescriptTranspile.ts',
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-vsix/**',
      'node_modules/**',
      'test/fixtures/**',
      // The editor tests' workspace: projects as users write them, with their own configs.
      'test/e2e/workspace/**',
      'test/e2e/artifacts/**',
      '.cache/**',
      'sandbox/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        structuredClone: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
      },
    },
    files: ['src/**/*.ts', 'webview/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    // The core is pure: time, processes, files, network and models arrive through ports.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: OUTSIDE_WORLDS.map((name) => ({
            name,
            message: 'src/core is pure: use a port implemented in src/adapters.',
          })),
          patterns: [
            {
              group: [
                '../adapters/*',
                '../vscode/*',
                '../cli/*',
                '../shared/*',
                '../panel/*',
                '../languages/*',
                'openai/*',
                'dockerode/*',
              ],
              message: 'src/core is the ground floor: it imports nothing above it.',
            },
          ],
        },
      ],
    },
  },
  {
    // The panel's view models are pure like the core; they may read core and the shared protocol.
    files: ['src/panel/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: OUTSIDE_WORLDS.map((name) => ({
            name,
            message: 'src/panel is pure: it turns loop events into view state.',
          })),
          patterns: [
            {
              group: ['../adapters/*', '../vscode/*', '../cli/*', '../languages/*', 'openai/*', 'dockerode/*'],
              message: 'src/panel imports only core and shared.',
            },
          ],
        },
      ],
    },
  },
  {
    // A language module implements core's LanguageSupport and tells the host about its tests and
    // harness. It never sees VS Code or the layers above it; its pure files (all but the host files
    // listed in the next block) touch no Node module either, so the core could run them anywhere.
    files: ['src/languages/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['vscode', 'openai', 'dockerode', ...nodeSpecifiers].map((name) => ({
            name,
            message: 'src/languages is pure apart from its host files (see eslint.config.mjs).',
          })),
          patterns: [
            {
              group: [
                '**/adapters/*',
                '**/vscode/*',
                '**/cli/*',
                '**/panel/*',
                '**/shared/*',
                'openai/*',
                'dockerode/*',
              ],
              message: 'src/languages imports only core (and esbuild in its host files).',
            },
          ],
        },
      ],
    },
  },
  {
    // Host files of the languages: they may read files and use Node's path (never VS Code).
    files: LANGUAGE_HOST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'src/languages never depends on VS Code.' },
            { name: 'openai', message: 'src/languages does not talk to models.' },
            { name: 'dockerode', message: 'src/languages does not talk to Docker.' },
          ],
          patterns: [
            {
              group: ['**/adapters/*', '**/vscode/*', '**/cli/*', '**/panel/*', '**/shared/*'],
              message: 'src/languages imports only core.',
            },
          ],
        },
      ],
    },
  },
  {
    // Adapters touch one outside world each; only the vscode.lm adapter may see vscode.
    files: ['src/adapters/**/*.ts'],
    ignores: ['src/adapters/vscodeLmModel.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'Adapters do not depend on VS Code (except vscodeLmModel.ts).' }] },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['vscode', ...nodeSpecifiers].map((name) => ({
            name,
            message: 'src/shared is imported by the webview: no vscode, no Node modules.',
          })),
          patterns: [
            {
              group: ['../core/*', '../adapters/*', '../vscode/*'],
              message: 'src/shared stands alone (types only from core are allowed with import type).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // The webview runs in a browser sandbox: no VS Code API module, no Node.
    files: ['webview/**/*.ts'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        HTMLElement: 'readonly',
        customElements: 'readonly',
        getComputedStyle: 'readonly',
        requestAnimationFrame: 'readonly',
        MutationObserver: 'readonly',
        Event: 'readonly',
        CustomEvent: 'readonly',
        KeyboardEvent: 'readonly',
        MessageEvent: 'readonly',
      },
    },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['vscode', ...nodeSpecifiers].map((name) => ({
            name,
            message: 'The webview runs in a browser: no vscode, no Node modules.',
          })),
          patterns: [
            {
              group: ['../src/core/*', '../src/adapters/*', '../src/vscode/*', '../src/cli/*'],
              message: 'The webview imports only src/shared.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**', 'bench/**', 'test/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
