/**
 * What a JavaScript or TypeScript file imports, resolved among the project's files the way Node,
 * bundlers and TypeScript do for relative specifiers: with or without an extension, `.js` written
 * for a `.ts` source, a folder's `index`. The package's own name resolves to its root index.
 */
import type { ProjectIndex } from '../languageModule';
import { dirname } from '../common/posixPath';

const SPECIFIERS = [
  /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"\n]+)['"]/g,
  /\bimport\s*['"]([^'"\n]+)['"]/g,
  /\brequire\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g,
  /\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g,
];
const ENDINGS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const SWAPPED: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};

export function scriptImports(path: string, text: string, project: ProjectIndex): string[] {
  const found = new Set<string>();
  for (const pattern of SPECIFIERS) {
    for (const match of text.matchAll(pattern)) {
      const target = resolve(path, match[1] ?? '', project);
      if (target !== undefined) found.add(target);
    }
  }
  return [...found];
}

function resolve(from: string, specifier: string, project: ProjectIndex): string | undefined {
  let base: string | undefined;
  if (specifier.startsWith('.')) base = join(dirname(from), specifier);
  else if (
    project.packageName &&
    (specifier === project.packageName || specifier.startsWith(`${project.packageName}/`))
  ) {
    base = specifier.slice(project.packageName.length + 1);
  }
  if (base === undefined) return undefined;
  const candidates = base === '' ? ['index', 'src/index', 'lib/index'] : [base];
  for (const stem of candidates) {
    const hit = withEndings(stem).find((p) => project.has(p));
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function withEndings(stem: string): string[] {
  const dot = stem.lastIndexOf('.');
  const ending = dot > stem.lastIndexOf('/') ? stem.slice(dot) : '';
  const swapped = (SWAPPED[ending] ?? []).map((e) => stem.slice(0, dot) + e);
  const index = stem === '' ? ENDINGS.map((e) => `index${e}`) : ENDINGS.map((e) => `${stem}/index${e}`);
  return [stem, ...swapped, ...ENDINGS.map((e) => stem + e), ...index];
}

/** POSIX join that resolves `.` and `..`; undefined parts above the root are dropped. */
export function join(dir: string, relative: string): string {
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}
