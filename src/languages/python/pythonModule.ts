/** Python as the host sees it: the core's support plus editor ids, test conventions and the harness. */
import path from 'node:path';
import type { LanguageModule } from '../languageModule';
import { pythonSupport } from './pythonSupport';
import { pythonTests } from './pythonTests';
import { findPythonProjectRoot } from './projectRoot';

export const pythonModule: LanguageModule = {
  ...pythonSupport,
  aliases: ['python3'],
  vscodeLanguageIds: ['python'],
  tests: pythonTests,
  projectMarkers: ['pyproject.toml', 'setup.py', 'setup.cfg'],
  findProjectRoot: findPythonProjectRoot,
  // Packages need their __init__.py; pytest needs the conftest.py files on the way up.
  jobFiles: { siblingExtensions: ['.py'], packageMarkers: ['__init__.py', 'conftest.py'] },
  harness: {
    folder: 'python',
    script: 'python/harness.py',
    runtime: 'cpython',
    command: (options) => ({
      command: options.python ?? 'python3',
      args: ['-I', path.posix.join(options.harnessDir, 'python', 'harness.py'), options.jobFile ?? 'job.json'],
    }),
    addressSpaceLimit: true,
    usesWorkspace: false,
    runsInPlace: true,
  },
};
