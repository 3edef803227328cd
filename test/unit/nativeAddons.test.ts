import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The harness's sandbox/node/nativeAddons.mjs (plain JavaScript, no declarations). */
interface NativeAddonsModule {
  nativeAddonNote(texts: readonly unknown[]): string | undefined;
}

const addons = import(
  pathToFileURL(path.resolve(__dirname, '../../sandbox/node/nativeAddons.mjs')).href
) as Promise<NativeAddonsModule>;

const ADDON = '/home/dev/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node';

describe('a compiled addon that cannot load, explained', () => {
  it('built for another Node: both module versions', async () => {
    const { nativeAddonNote } = await addons;
    const note = nativeAddonNote([
      `Error: The module '${ADDON}'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 108. Please try re-compiling or re-installing`,
    ]);
    expect(note).toMatch(
      new RegExp(
        `^${ADDON.replace(/[.]/g, '\\.')} cannot load in this sandbox: it was built for another Node \\(module version 115; this Node needs 108\\); the sandbox runs Node v\\d+`,
      ),
    );
    expect(note).toContain('Next step: ');
  });

  it('built for another system, and against a newer C library', async () => {
    const { nativeAddonNote } = await addons;
    expect(nativeAddonNote([`Error: ${ADDON}: invalid ELF header`])).toMatch(/built for another system or CPU/);
    expect(
      nativeAddonNote([
        `Error: /lib/x86_64-linux-gnu/libc.so.6: version \`GLIBC_2.38' not found (required by ${ADDON})`,
      ]),
    ).toMatch(/^\S+better_sqlite3\.node cannot load .* built against a newer C library \(needs GLIBC_2\.38\)/);
  });

  it('says nothing of other failures, nor of a test that merely mentions a .node file', async () => {
    const { nativeAddonNote } = await addons;
    expect(nativeAddonNote(['AssertionError: expected 6, got 5', undefined, 42])).toBeUndefined();
    expect(nativeAddonNote(['expected "server.node" to equal "client.node"'])).toBeUndefined();
  });
});
