import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findNodeProjectRoot, globMatches } from '../../src/languages/node/projectRoot';
import { findPythonProjectRoot } from '../../src/languages/python/projectRoot';
import { projectRootFor } from '../../src/adapters/projectCollector';

const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder tree from `{ 'a/b.py': 'text' }`; folders end in '/'. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ab-root-'));
  temps.push(root);
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(root, name);
    if (name.endsWith('/')) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
  return root;
}

describe('Python project root', () => {
  it('is the nearest folder with a project or test-runner config', () => {
    for (const marker of ['pyproject.toml', 'setup.cfg', 'setup.py', 'pytest.ini', 'tox.ini']) {
      const root = tree({ [marker]: '', 'pkg/__init__.py': '', 'pkg/sub/mod.py': '' });
      expect(findPythonProjectRoot(path.join(root, 'pkg/sub/mod.py'))).toBe(root);
    }
  });

  it('falls back to the version-control root', () => {
    const root = tree({ '.git/': '', 'scripts/tool.py': '' });
    expect(findPythonProjectRoot(path.join(root, 'scripts/tool.py'))).toBe(root);
  });

  it('is widened to hold tests that live outside it', () => {
    const root = tree({ '.git/': '', 'lib/setup.py': '', 'lib/m.py': '', 'tests/test_m.py': '' });
    expect(projectRootFor('python', path.join(root, 'lib/m.py'), [path.join(root, 'tests/test_m.py')])).toBe(root);
  });
});

describe('Node project root', () => {
  it('is the nearest package.json', () => {
    const root = tree({ 'package.json': '{}', 'src/util/x.js': '' });
    expect(findNodeProjectRoot(path.join(root, 'src/util/x.js'))).toEqual({ root, packageRoot: root });
  });

  it('is the npm/yarn workspace root when the package is a member (hoisted node_modules live there)', () => {
    const root = tree({
      'package.json': JSON.stringify({ private: true, workspaces: ['packages/*'] }),
      'packages/core/package.json': '{}',
      'packages/core/src/a.js': '',
      'node_modules/': '',
    });
    const found = findNodeProjectRoot(path.join(root, 'packages/core/src/a.js'));
    expect(found).toEqual({ root, packageRoot: path.join(root, 'packages/core'), workspaceRoot: root });
    const yarn = tree({
      'package.json': JSON.stringify({ workspaces: { packages: ['libs/**'] } }),
      'libs/group/one/package.json': '{}',
    });
    expect(findNodeProjectRoot(path.join(yarn, 'libs/group/one'))?.root).toBe(yarn);
  });

  it('reads pnpm-workspace.yaml, and ignores a parent that does not list the package', () => {
    const pnpm = tree({
      'package.json': '{}',
      'pnpm-workspace.yaml': "packages:\n  - 'apps/*'\n  - tools # comment\n",
      'apps/web/package.json': '{}',
      'other/package.json': '{}',
    });
    expect(findNodeProjectRoot(path.join(pnpm, 'apps/web'))?.root).toBe(pnpm);
    expect(findNodeProjectRoot(path.join(pnpm, 'other'))?.root).toBe(path.join(pnpm, 'other'));
  });

  it('matches workspace globs segment by segment', () => {
    expect(globMatches('packages/*', 'packages/core')).toBe(true);
    expect(globMatches('packages/*', 'packages/core/deep')).toBe(false);
    expect(globMatches('./libs/**', 'libs/a/b')).toBe(true);
    expect(globMatches('!packages/skip', 'packages/skip')).toBe(false);
  });
});
