import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hotspotsJob, rankingContext } from '../../src/cli/hotspotsJob';

const FIXTURES = path.resolve(__dirname, '../fixtures/hotspots');
const SRC_LAYOUT = path.join(FIXTURES, 'python-src-layout');
const TS_PATHS = path.join(FIXTURES, 'typescript-paths');
const LIMITS = { timeoutMs: 60_000, memoryMb: 512 };

function built(outcome: ReturnType<typeof hotspotsJob>) {
  if (outcome.kind !== 'ok') throw new Error(outcome.message);
  return outcome.run;
}

describe('the hotspots job', () => {
  it('runs Python on the project in place, from its root, with only unsaved files as overlays', () => {
    const test = path.join(SRC_LAYOUT, 'tests/test_schedule.py');
    const module = path.join(SRC_LAYOUT, 'src/kiln/schedule.py');
    const unsaved = new Map([
      [module, 'def smooth(readings, index, window):\n    return 0.0\n'],
      [path.join(FIXTURES, 'python/routes/labels.py'), '# another project\n'],
      [path.join(SRC_LAYOUT, 'notes.ts'), 'export {};\n'],
    ]);
    const run = built(hotspotsJob({ language: 'python', tests: [test] }, LIMITS, unsaved));
    expect(run.root).toBe(SRC_LAYOUT);
    expect(run.job).toMatchObject({
      language: 'python',
      project: { root: SRC_LAYOUT },
      testPaths: ['tests/test_schedule.py'],
      mode: { kind: 'hotspots' },
    });
    expect(run.job.files).toEqual([{ path: 'src/kiln/schedule.py', content: unsaved.get(module) }]);
    expect(built(hotspotsJob({ language: 'python', tests: [test] }, LIMITS)).job.files).toEqual([]);
  });

  it("copies a TypeScript project from its root, config included, with the editor's text where it has some", () => {
    const test = path.join(TS_PATHS, 'src/__tests__/regions.test.ts');
    const cells = path.join(TS_PATHS, 'src/lib/cells.ts');
    const unsaved = new Map([[cells, 'export const neighbours = () => [];\n']]);
    const run = built(hotspotsJob({ language: 'typescript', tests: [test] }, LIMITS, unsaved));
    expect(run.root).toBe(TS_PATHS);
    expect(run.job.project).toBeUndefined();
    expect(run.job.testPaths).toEqual(['src/__tests__/regions.test.ts']);
    const paths = run.job.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['tsconfig.json', 'package.json', 'src/lib/regions.ts']));
    expect(run.job.files.find((f) => f.path === 'src/lib/cells.ts')?.content).toBe(unsaved.get(cells));
  });

  it('names files relative to the folder asked about, also above it', () => {
    const test = path.join(TS_PATHS, 'src/__tests__/regions.test.ts');
    const run = built(hotspotsJob({ language: 'typescript', tests: [test] }, LIMITS));
    const ranking = rankingContext(run, path.join(TS_PATHS, 'src'));
    expect(ranking.testFiles).toEqual(['src/__tests__/regions.test.ts']);
    expect(ranking.shownAs('src/lib/cells.ts')).toBe('lib/cells.ts');
    expect(ranking.shownAs('tools/gen.ts')).toBe('../tools/gen.ts');
    expect(ranking.project).toBe('..');
    expect(rankingContext(run, TS_PATHS).project).toBe('');
    expect(ranking.sourceOf('src/lib/cells.ts')).toMatch(/export function neighbours/);
  });
});
