/**
 * The interpreter the VS Code Python extension (ms-python.python) has selected for a file's
 * folder, through its public environments API (the shape `@vscode/python-extension` publishes:
 * `environments.getActiveEnvironmentPath(resource)`, then `resolveEnvironment(path)` →
 * `executable.uri`). Whatever goes wrong (not installed, not activating, no answer) yields
 * undefined, said in the log, and the next rule picks the interpreter.
 */
import type * as vscode from 'vscode';
import { errorMessage } from '../core/errorMessage';

export const PYTHON_EXTENSION_ID = 'ms-python.python';
const ACTIVATION_TIMEOUT_MS = 10_000;

interface EnvironmentPath {
  readonly id: string;
  readonly path: string;
}

interface ResolvedEnvironment {
  readonly executable: { readonly uri: vscode.Uri | undefined };
}

interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
  resolveEnvironment(environment: EnvironmentPath | string): Promise<ResolvedEnvironment | undefined>;
}

function environmentsOf(exports: unknown): PythonEnvironmentsApi | undefined {
  const environments = (exports as { environments?: Partial<PythonEnvironmentsApi> } | undefined)?.environments;
  return typeof environments?.getActiveEnvironmentPath === 'function' &&
    typeof environments.resolveEnvironment === 'function'
    ? (environments as PythonEnvironmentsApi)
    : undefined;
}

/** The part of `vscode.Extension` used here. */
export interface ExtensionLike {
  readonly isActive: boolean;
  readonly exports: unknown;
  activate(): Thenable<unknown>;
}

type Log = Pick<vscode.LogOutputChannel, 'debug' | 'info' | 'warn'>;

async function activated(extension: ExtensionLike): Promise<unknown> {
  if (extension.isActive) return extension.exports;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`it did not activate within ${ACTIVATION_TIMEOUT_MS / 1000} s`)),
      ACTIVATION_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([extension.activate(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The selected interpreter's path for `resource`, or undefined (and why, in the log). `extension`
 * is `vscode.extensions.getExtension(PYTHON_EXTENSION_ID)`.
 */
export async function pythonExtensionInterpreter(
  extension: ExtensionLike | undefined,
  resource: vscode.Uri,
  log: Log,
): Promise<string | undefined> {
  if (!extension) {
    log.debug(`Python interpreter: the Python extension (${PYTHON_EXTENSION_ID}) is not installed.`);
    return undefined;
  }
  try {
    const environments = environmentsOf(await activated(extension));
    if (!environments) {
      log.info('Python interpreter: the Python extension offers no environments API; using the next rule.');
      return undefined;
    }
    const active = environments.getActiveEnvironmentPath(resource);
    const resolved = await environments.resolveEnvironment(active);
    const executable = resolved?.executable.uri?.fsPath;
    if (!executable) {
      log.info(`Python interpreter: the Python extension could not resolve ${active.path}; using the next rule.`);
      return undefined;
    }
    return executable;
  } catch (err) {
    log.warn(`Python interpreter: the Python extension did not answer (${errorMessage(err)}); using the next rule.`);
    return undefined;
  }
}
