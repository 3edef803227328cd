/**
 * Where the best-so-far version of the user's module goes in a candidate's sandbox job, so the
 * harness can measure the two side by side (HarnessMode check `reference`). Beside the module, in
 * the same folder and with the same extension: relative imports (`./helpers.js`, `from . import
 * helpers`), files read next to `__file__` and the nearest package.json "type" mean the same to it
 * as to the module itself.
 */
import type { SourceFile } from './sandboxTypes';

export const REFERENCE_MARK = '.afterburner-reference';

/** `src/sum.ts` → `src/sum.afterburner-reference.ts`; a numbered variant if that path is taken. */
export function referenceModulePath(modulePath: string, taken: ReadonlySet<string>): string {
  const slash = modulePath.lastIndexOf('/');
  const dir = modulePath.slice(0, slash + 1);
  const name = modulePath.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const extension = dot > 0 ? name.slice(dot) : '';
  for (let n = 1; ; n++) {
    const candidate = `${dir}${stem}${REFERENCE_MARK}${n > 1 ? `-${n}` : ''}${extension}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** The job's files with the reference module added beside the module, and its path. */
export function withReferenceModule(
  files: readonly SourceFile[],
  modulePath: string,
  referenceText: string,
): { files: SourceFile[]; referencePath: string } {
  const referencePath = referenceModulePath(modulePath, new Set(files.map((f) => f.path)));
  return { files: [...files, { path: referencePath, content: referenceText }], referencePath };
}
