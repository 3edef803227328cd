/**
 * Whether the project's own jest compiles its TypeScript (ts-jest, @swc/jest, esbuild-jest, or
 * babel-jest with babel's TypeScript preset). Then the .ts files go to the sandbox as they are,
 * beside the JavaScript the host emits for the harness, and jest runs the .ts tests with the
 * project's config — its transform, `moduleNameMapper`, `testRegex` on `.ts` names — as `npx jest`
 * does. With only the emitted `.cjs`/`.mjs` files, such a config would match and map nothing.
 */
import type { SourceFile } from '../../core/sandboxTypes';
import { basename, dirname } from '../common/posixPath';
import { importsVitest } from './vitestImport';

const JEST_CONFIG = /^jest\.config\.(js|cjs|mjs|ts|json)$/;
const BABEL_CONFIG = /^(babel\.config\.(js|cjs|mjs|json)|\.babelrc(\.json)?)$/;
const TS_TRANSFORMERS = /(ts-jest|@swc\/jest|esbuild-jest|@babel\/preset-typescript)\b/;

/** The jest config text in the job-relative folder `dir` ('' for the root), if there is one. */
function jestConfigIn(dir: string, byPath: ReadonlyMap<string, string>): string | undefined {
  for (const [file, content] of byPath) {
    if (dirname(file) !== dir) continue;
    const name = basename(file);
    if (JEST_CONFIG.test(name)) return content;
    if (name === 'package.json') {
      try {
        const jest = (JSON.parse(content) as { jest?: unknown }).jest;
        if (jest !== undefined) return JSON.stringify(jest);
      } catch {
        // not JSON: jest reports that itself
      }
    }
  }
  return undefined;
}

/**
 * `paths` are the module's and then the tests' (job-relative). jest runs from the job's root, the
 * project's, and reads the config there.
 */
export function jestCompilesTypeScript(files: readonly SourceFile[], paths: readonly string[]): boolean {
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  if (paths.slice(1).some((t) => importsVitest(byPath.get(t) ?? ''))) return false;
  const config = jestConfigIn('', byPath);
  if (config === undefined) return false;
  if (TS_TRANSFORMERS.test(config)) return true;
  // jest's default transform is babel-jest: TypeScript when the project's babel config says so.
  return [...byPath].some(
    ([file, content]) => dirname(file) === '' && BABEL_CONFIG.test(file) && TS_TRANSFORMERS.test(content),
  );
}
