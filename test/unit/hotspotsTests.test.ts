import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectFilesOnDisk } from '../../src/cli/projectFilesOnDisk';
import { findProjectTests, groupTests } from '../../src/languages/projectTests';

const FIXTURES = path.resolve(__dirname, '../fixtures/hotspots');
const CHECKS = path.join(FIXTURES, 'python-checks');
const TS_PATHS = path.join(FIXTURES, 'typescript-paths');
const MONOREPO = path.join(FIXTURES, 'python-monorepo');

describe('the tests hotspots runs: the shared discovery over a folder', () => {
  it("takes pytest's testpaths and python_files from the project's config", async () => {
    const found = await findProjectTests(CHECKS, projectFilesOnDisk);
    expect(found.groups).toEqual([{ language: 'python', tests: [path.join(CHECKS, 'checks/check_ladder.py')] }]);
    expect(found.runnerConfigs).toContain('pytest.ini');
  });

  it('reads the config at the project root above a folder, and lists only the folder', async () => {
    // bench/ is outside testpaths: pytest run at the root would not collect it.
    expect((await findProjectTests(path.join(CHECKS, 'bench'), projectFilesOnDisk)).groups).toEqual([]);
    const checks = await findProjectTests(path.join(CHECKS, 'checks'), projectFilesOnDisk);
    expect(checks.groups.flatMap((g) => g.tests)).toEqual([path.join(CHECKS, 'checks/check_ladder.py')]);
  });

  it('finds tests by folder convention (__tests__/) below a TypeScript project root', async () => {
    const found = await findProjectTests(path.join(TS_PATHS, 'src'), projectFilesOnDisk);
    expect(found.groups).toEqual([
      { language: 'typescript', tests: [path.join(TS_PATHS, 'src/__tests__/regions.test.ts')] },
    ]);
  });

  it('says what it looked for when a folder has no tests', async () => {
    const found = await findProjectTests(path.join(TS_PATHS, 'src/lib'), projectFilesOnDisk);
    expect(found.groups).toEqual([]);
    expect(found.lookedFor.join(' ')).toMatch(/test_\*\.py.*testpaths.*\*\.test\.\*.*__tests__/);
  });

  it('makes one group per project root, so each project runs from its own', () => {
    const meters = path.join(MONOREPO, 'meters/tests/test_readings.py');
    const tariffs = path.join(MONOREPO, 'tariffs/tests/test_bands.py');
    expect(groupTests([meters, tariffs])).toEqual([
      { language: 'python', tests: [meters] },
      { language: 'python', tests: [tariffs] },
    ]);
  });
});
