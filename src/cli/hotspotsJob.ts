/**
 * The sandbox job of a hotspots run: one language's tests of the project, run whole under the
 * harness's profiler. The files travel the way `profile` sends them today (copied under DIR).
 */
import type { Limits, SandboxJob } from '../core/sandboxTypes';
import type { LanguageTests } from '../languages/projectTests';
import { collectJobInput } from './sandboxJobInput';

/** The sandbox job that profiles one language's tests of the project in `dir`. */
export function hotspotsJob(dir: string, group: LanguageTests, limits: Limits): SandboxJob {
  const [first] = group.tests;
  if (first === undefined) throw new Error('hotspotsJob needs at least one test file');
  const input = collectJobInput(first, group.tests, dir);
  return {
    language: group.language,
    files: input.files,
    // The harness loads no target in this mode; the field names a file of the job as the port requires.
    modulePath: input.testPaths[0] ?? input.modulePath,
    testPaths: input.testPaths,
    target: '',
    mode: { kind: 'hotspots' },
    limits,
    ...(input.workspaceRoot ? { workspaceRoot: input.workspaceRoot } : {}),
  };
}
