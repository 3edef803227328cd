import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The harness's sandbox/node/replayPhase.mjs (plain JavaScript, no declarations). */
interface ReplayPhaseModule {
  importNamed(mismatch: string, inputs: string): string;
}

const replayPhase = import(
  pathToFileURL(path.resolve(__dirname, '../../sandbox/node/replayPhase.mjs')).href
) as Promise<ReplayPhaseModule>;

// A rules argument whose functions read an import, as the recording holds it once transpiled.
const esbuild = JSON.stringify([[{ $t: 'fs', s: '(text) => (0, import_common.getSpecialChars)(text)' }], null]);
const tsc = JSON.stringify([[{ $t: 'fs', s: '(text) => (0, common_1.getSpecialChars)(text)' }], null]);

describe('why a rebuilt function did not replay, in the names the source wrote', () => {
  it('names the import a transpiled function reaches through esbuild’s or tsc’s binding', async () => {
    const { importNamed } = await replayPhase;
    expect(importNamed('expected return 1, got ReferenceError: import_common is not defined', esbuild)).toBe(
      'expected return 1, got ReferenceError: getSpecialChars is not defined (an import, `import_common` once transpiled)',
    );
    expect(importNamed('got ReferenceError: common_1 is not defined', tsc)).toBe(
      'got ReferenceError: getSpecialChars is not defined (an import, `common_1` once transpiled)',
    );
  });

  it('leaves a variable the user wrote as it is, even one read through a property', async () => {
    const { importNamed } = await replayPhase;
    const inputs = JSON.stringify([[{ $t: 'fs', s: '(row) => row.amount * weight.factor' }], null]);
    expect(importNamed('got ReferenceError: weight is not defined', inputs)).toBe(
      'got ReferenceError: weight is not defined',
    );
    // A transpiled-looking name the inputs never read as a namespace stays too.
    expect(importNamed('got ReferenceError: import_common is not defined', inputs)).toBe(
      'got ReferenceError: import_common is not defined',
    );
  });
});
