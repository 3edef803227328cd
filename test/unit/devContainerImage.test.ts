import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findDevContainerImage } from '../../src/adapters/devContainerImage';
import { expandInterpreterSetting } from '../../src/languages/python/interpreter';

const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ab-devc-'));
  temps.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe("the project's dev container image", () => {
  it('is the "image" of .devcontainer/devcontainer.json, comments and trailing commas allowed', () => {
    const root = project({
      '.devcontainer/devcontainer.json':
        '{\n  // the team image\n  "name": "py // dev",\n  /* pinned */ "image": "ghcr.io/acme/py:3.12",\n  "features": {},\n}\n',
    });
    expect(findDevContainerImage(root)).toEqual({
      kind: 'image',
      image: 'ghcr.io/acme/py:3.12',
      file: path.join(root, '.devcontainer', 'devcontainer.json'),
    });
  });

  it('is read from a root .devcontainer.json too, and says when the container is built from a Dockerfile', () => {
    expect(findDevContainerImage(project({ '.devcontainer.json': '{"image": "py:dev"}' }))).toMatchObject({
      kind: 'image',
      image: 'py:dev',
    });
    expect(
      findDevContainerImage(project({ '.devcontainer/devcontainer.json': '{"build": {"dockerfile": "Dockerfile"}}' })),
    ).toMatchObject({ kind: 'dockerfile' });
    expect(findDevContainerImage(project({ 'README.md': '' }))).toEqual({ kind: 'none' });
  });
});

describe('the interpreter setting', () => {
  it('expands ~ and ${workspaceFolder} and takes relative paths from the workspace folder', () => {
    expect(expandInterpreterSetting('~/.pyenv/versions/3.12.1/bin/python', '/w', '/home/u')).toBe(
      '/home/u/.pyenv/versions/3.12.1/bin/python',
    );
    expect(expandInterpreterSetting('${workspaceFolder}/.env/bin/python', '/w')).toBe('/w/.env/bin/python');
    expect(expandInterpreterSetting('envs/py/bin/python', '/w')).toBe('/w/envs/py/bin/python');
    expect(expandInterpreterSetting(' python3.12 ', '/w')).toBe('python3.12');
  });
});
