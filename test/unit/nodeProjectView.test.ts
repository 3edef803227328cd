import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/** The harness's sandbox/node/projectView.mjs (plain JavaScript, no declarations). */
interface ProjectViewModule {
  mirroredRoot(workspaceRoot: string | undefined, modulePath: string, workDir: string): string | undefined;
  completeProjectView(root: string, workDir: string, readOnly: boolean): string | undefined;
}

const view = import(
  pathToFileURL(path.resolve(__dirname, '../../sandbox/node/projectView.mjs')).href
) as Promise<ProjectViewModule>;

const made: string[] = [];
afterEach(() => made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function folder(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `ab-view-${name}-`));
  made.push(dir);
  return dir;
}

function write(root: string, relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  writeFileSync(path.join(root, relative), text);
}

/**
 * A project as the host found it, and the work dir as the host left it: the sources copied (the
 * module as the candidate has it), the tests' data not.
 */
function projectAndWorkDir(): { project: string; work: string } {
  const project = folder('project');
  write(project, 'package.json', '{}');
  write(project, 'src/table.js', 'module.exports = 1;');
  write(project, 'src/__tests__/table.test.js', 'test');
  write(project, 'src/__tests__/fixtures/runners.md', '| a |');
  write(project, 'src/__tests__/__snapshots__/table.test.js.snap', 'exports[`a 1`] = `1`;');
  write(project, 'dist/index.js', 'built');
  write(project, 'node_modules/x/index.js', 'a package');
  write(project, 'packages/text/src/slug.js', 'source');
  write(project, 'packages/text/node_modules/dep/index.js', "a member's own dependency");
  write(project, '.git/HEAD', 'ref');
  // A fixture that is itself a link (a resolver's tests follow it).
  symlinkSync('hello.mjs', path.join(project, 'src/__tests__/hello.link.mjs'));
  write(project, 'src/__tests__/hello.mjs', 'export default 1;');
  const work = folder('work');
  write(work, 'package.json', '{}');
  write(work, 'src/table.js', 'module.exports = 2;');
  write(work, 'src/__tests__/table.test.js', 'test');
  write(work, 'packages/text/src/slug.js', 'source');
  write(work, 'job.json', '{}');
  return { project, work };
}

describe("the project's files the host did not copy, in the sandbox's work dir", () => {
  it('are private copies at their own relative paths when the project is read-only, so the tests may write there', async () => {
    const { completeProjectView } = await view;
    const { project, work } = projectAndWorkDir();
    expect(completeProjectView(project, work, true)).toBeUndefined();
    const fixture = path.join(work, 'src/__tests__/fixtures/runners.md');
    expect(lstatSync(path.join(work, 'src/__tests__/fixtures')).isSymbolicLink()).toBe(false);
    expect(lstatSync(fixture).isSymbolicLink()).toBe(false);
    writeFileSync(fixture, 'changed by a test');
    writeFileSync(path.join(work, 'dist/cache.json'), 'written by a test');
    expect(readFileSync(path.join(project, 'src/__tests__/fixtures/runners.md'), 'utf8')).toBe('| a |');
    expect(lstatSync(path.join(project, 'dist/cache.json'), { throwIfNoEntry: false })).toBeUndefined();
    expect(readFileSync(path.join(work, 'src/__tests__/__snapshots__/table.test.js.snap'), 'utf8')).toContain('a 1');
    // What the host copied stays as the run has it: the candidate's module is not replaced.
    expect(readFileSync(path.join(work, 'src/table.js'), 'utf8')).toBe('module.exports = 2;');
    // The workspace's packages are linked by the harness itself; a member's own are the project's,
    // linked whole (a package copied in part would be broken).
    expect(lstatSync(path.join(work, 'node_modules'), { throwIfNoEntry: false })).toBeUndefined();
    expect(readlinkSync(path.join(work, 'packages/text/node_modules'))).toBe(
      path.join(project, 'packages/text/node_modules'),
    );
    // VCS data is not the project's.
    expect(lstatSync(path.join(work, '.git'), { throwIfNoEntry: false })).toBeUndefined();
    expect(readFileSync(path.join(work, 'job.json'), 'utf8')).toBe('{}');
    expect(readFileSync(path.join(work, 'src/__tests__/hello.link.mjs'), 'utf8')).toBe('export default 1;');
  });

  it('past the copy’s bounds are linked when the project is read-only, so the tests still read them', async () => {
    const { completeProjectView } = await view;
    const { project, work } = projectAndWorkDir();
    write(project, 'data/huge.bin', 'x'.repeat(5 * 1024 * 1024));
    for (let i = 0; i < 5001; i++) write(project, `corpus/${i}.txt`, String(i));
    expect(completeProjectView(project, work, true)).toBeUndefined();
    expect(readlinkSync(path.join(work, 'data/huge.bin'))).toBe(path.join(project, 'data/huge.bin'));
    expect(lstatSync(path.join(work, 'data')).isSymbolicLink()).toBe(false);
    expect(readlinkSync(path.join(work, 'corpus'))).toBe(path.join(project, 'corpus'));
    expect(readFileSync(path.join(work, 'corpus/5000.txt'), 'utf8')).toBe('5000');
  });

  it('are copied when the project is writable, so a test writing to one leaves the user’s file alone', async () => {
    const { completeProjectView } = await view;
    const { project, work } = projectAndWorkDir();
    expect(completeProjectView(project, work, false)).toBeUndefined();
    const fixture = path.join(work, 'src/__tests__/fixtures/runners.md');
    expect(lstatSync(fixture).isSymbolicLink()).toBe(false);
    expect(lstatSync(path.join(work, 'src/__tests__/fixtures')).isSymbolicLink()).toBe(false);
    writeFileSync(fixture, 'changed by a test');
    expect(readFileSync(path.join(project, 'src/__tests__/fixtures/runners.md'), 'utf8')).toBe('| a |');
    expect(readFileSync(path.join(work, 'dist/index.js'), 'utf8')).toBe('built');
    expect(readFileSync(path.join(work, 'src/__tests__/hello.link.mjs'), 'utf8')).toBe('export default 1;');
  });

  it('are copied within bounds, and the rest is said', async () => {
    const { completeProjectView } = await view;
    const { project, work } = projectAndWorkDir();
    write(project, 'data/huge.bin', 'x'.repeat(5 * 1024 * 1024));
    const note = completeProjectView(project, work, false);
    expect(note).toMatch(/^1 project file\(s\) or folder\(s\) the host did not copy are not in the sandbox's copy/);
    expect(lstatSync(path.join(work, 'data/huge.bin'), { throwIfNoEntry: false })).toBeUndefined();
  });

  it('come from the workspace root only when the work dir mirrors it (the module at the same relative path)', async () => {
    const { mirroredRoot } = await view;
    const { project, work } = projectAndWorkDir();
    expect(mirroredRoot(project, 'src/table.js', work)).toBe(project);
    expect(mirroredRoot(project, 'lib/table.js', work)).toBeUndefined();
    expect(mirroredRoot(undefined, 'src/table.js', work)).toBeUndefined();
    expect(mirroredRoot(work, 'src/table.js', work)).toBeUndefined();
    // A TypeScript module arrives transpiled: its emitted JavaScript stands for the source.
    write(project, 'src/utils.ts', 'export const x = 1;');
    expect(mirroredRoot(project, 'src/utils.mjs', work)).toBe(project);
    expect(mirroredRoot(project, 'src/other.mjs', work)).toBeUndefined();
  });
});
