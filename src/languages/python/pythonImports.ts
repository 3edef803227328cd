/**
 * What a Python file imports, resolved among the project's files: `import a.b`, `from a.b import c`
 * (c may be a submodule), relative `from .x import y`. A dotted name is looked up from the project
 * root, `src/`, and each folder above the file (pytest puts the first folder without an
 * `__init__.py` on sys.path; a test beside its module imports it by its bare name).
 */
import type { ProjectIndex } from '../languageModule';
import { dirname } from '../common/posixPath';

const FROM = /^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)/gm;
const IMPORT = /^[ \t]*import[ \t]+([^\n#;]+)/gm;

export function pythonImports(path: string, text: string, project: ProjectIndex): string[] {
  const found = new Set<string>();
  const dir = dirname(path);
  const bases = searchBases(dir);
  const add = (hits: readonly string[]): void => hits.forEach((hit) => found.add(hit));
  for (const match of text.matchAll(FROM)) {
    const dots = (match[1] ?? '').length;
    const dotted = match[2] ?? '';
    const names = (match[3] ?? '')
      .replace(/[()]/g, '')
      .split(',')
      .map((n) => n.trim().split(/\s+/)[0] ?? '')
      .filter((n) => /^\w+$/.test(n));
    const from = dots > 0 ? [up(dir, dots - 1)] : bases;
    const module = dotted === '' ? [] : dotted.split('.');
    add(lookup(from, module, project));
    for (const name of names) add(lookup(from, [...module, name], project));
  }
  for (const match of text.matchAll(IMPORT)) {
    for (const clause of (match[1] ?? '').split(',')) {
      const dotted = clause.trim().split(/\s+/)[0] ?? '';
      if (/^[\w.]+$/.test(dotted)) add(lookup(bases, dotted.split('.'), project));
    }
  }
  return [...found];
}

/** The first base where `parts` is a module or a package; every package on the way counts too (its __init__ runs). */
function lookup(bases: readonly (string | undefined)[], parts: readonly string[], project: ProjectIndex): string[] {
  for (const base of bases) {
    if (base === undefined) continue;
    const stem = [base, ...parts].filter((p) => p !== '').join('/');
    const hits = [`${stem}.py`, `${stem}/__init__.py`].filter((p) => project.has(p));
    if (hits.length > 0 || (parts.length === 0 && project.has(`${stem}/__init__.py`))) return hits;
  }
  return [];
}

function searchBases(dir: string): string[] {
  const bases = [dir];
  for (let d = dir; d !== '';) {
    d = dirname(d);
    bases.push(d);
  }
  if (!bases.includes('src')) bases.push('src');
  return bases;
}

function up(dir: string, levels: number): string | undefined {
  let d = dir;
  for (let i = 0; i < levels; i++) {
    if (d === '') return undefined;
    d = dirname(d);
  }
  return d;
}
