import { describe, expect, it } from 'vitest';
import type * as vscode from 'vscode';
import { pythonExtensionInterpreter, type ExtensionLike } from '../../src/vscode/pythonExtension';

const resource = { fsPath: '/w/pkg/stats.py', toString: () => 'file:///w/pkg/stats.py' } as unknown as vscode.Uri;

function recordingLog(): {
  lines: string[];
  debug: (m: string) => void;
  info: (m: string) => void;
  warn: (m: string) => void;
} {
  const lines: string[] = [];
  const push = (m: string): void => void lines.push(m);
  return { lines, debug: push, info: push, warn: push };
}

/** The Python extension's environments API as its published types describe it. */
function pythonExtension(
  resolve: (path: string) => Promise<{ executable: { uri: vscode.Uri | undefined } } | undefined>,
  options: { active?: boolean; activate?: () => Promise<unknown> } = {},
): ExtensionLike & { asked: unknown[] } {
  const asked: unknown[] = [];
  const exports = {
    environments: {
      getActiveEnvironmentPath: (r: unknown) => {
        asked.push(r);
        return { id: 'venv-id', path: '/w/.venv/bin/python' };
      },
      resolveEnvironment: (env: { path: string }) => resolve(env.path),
    },
  };
  return {
    asked,
    isActive: options.active ?? true,
    exports: options.active === false ? undefined : exports,
    activate: options.activate ?? (() => Promise.resolve(exports)),
  };
}

describe("the Python extension's selected interpreter", () => {
  it("is the resolved executable of the file's active environment", async () => {
    const extension = pythonExtension((p) => Promise.resolve({ executable: { uri: { fsPath: p } as vscode.Uri } }));
    expect(await pythonExtensionInterpreter(extension, resource, recordingLog())).toBe('/w/.venv/bin/python');
    expect(extension.asked).toEqual([resource]);
  });

  it('activates the extension when it is installed but not active yet', async () => {
    let activated = 0;
    const inactive = pythonExtension((p) => Promise.resolve({ executable: { uri: { fsPath: p } as vscode.Uri } }), {
      active: false,
    });
    const extension = {
      ...inactive,
      activate: () => {
        activated++;
        return pythonExtension((p) => Promise.resolve({ executable: { uri: { fsPath: p } as vscode.Uri } })).activate();
      },
    };
    expect(await pythonExtensionInterpreter(extension, resource, recordingLog())).toBe('/w/.venv/bin/python');
    expect(activated).toBe(1);
  });

  it('falls back (undefined) and says why when it is missing, fails or resolves nothing', async () => {
    const log = recordingLog();
    expect(await pythonExtensionInterpreter(undefined, resource, log)).toBeUndefined();
    expect(log.lines.at(-1)).toMatch(/not installed/);
    const unresolved = pythonExtension(() => Promise.resolve(undefined));
    expect(await pythonExtensionInterpreter(unresolved, resource, log)).toBeUndefined();
    expect(log.lines.at(-1)).toMatch(/could not resolve \/w\/\.venv\/bin\/python/);
    const failing = pythonExtension(() => Promise.reject(new Error('discovery crashed')));
    expect(await pythonExtensionInterpreter(failing, resource, log)).toBeUndefined();
    expect(log.lines.at(-1)).toMatch(/did not answer \(discovery crashed\)/);
    const noApi: ExtensionLike = { isActive: true, exports: {}, activate: () => Promise.resolve({}) };
    expect(await pythonExtensionInterpreter(noApi, resource, log)).toBeUndefined();
    expect(log.lines.at(-1)).toMatch(/no environments API/);
  });
});
