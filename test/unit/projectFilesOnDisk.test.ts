import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectFilesOnDisk, projectRootOf } from '../../src/cli/projectFilesOnDisk';

describe("the CLI's project listing", () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  const write = (rel: string, text = ''): string => {
    const file = path.join(root as string, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };

  it('lists sources but not dependencies, virtual environments, VCS folders or build output', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'projectfiles-'));
    write('pkg/core.py');
    write('pkg/tests/test_core.py', 'import pkg\n');
    write('node_modules/dep/test_x.py');
    write('.git/hooks/test_hook.py');
    write('.venv/lib/site.py');
    write('myenv/pyvenv.cfg');
    write('myenv/lib/python3.11/site-packages/x/test_y.py');
    write('build/lib/pkg/core.py');
    write('dist/test_z.py');
    write('README.md');
    symlinkSync(path.join(root, 'pkg/core.py'), path.join(root, 'pkg/tests/linked.py'));
    const files = projectFilesOnDisk(root);
    const listing = await files.list(['py']);
    expect([...listing.paths].sort()).toEqual(['pkg/core.py', 'pkg/tests/linked.py', 'pkg/tests/test_core.py']);
    expect(listing.truncated).toBe(false);
    expect(await files.read('pkg/tests/test_core.py')).toBe('import pkg\n');
    expect(await files.read('missing.py')).toBeUndefined();
  });

  it('takes the nearest folder with a project file or .git as the root', () => {
    root = mkdtempSync(path.join(tmpdir(), 'projectfiles-'));
    write('pyproject.toml');
    const module = write('src/pkg/core.py');
    expect(projectRootOf(module)).toBe(root);
    write('web/package.json', '{}');
    expect(projectRootOf(write('web/src/a.ts'))).toBe(path.join(root, 'web'));
  });
});
