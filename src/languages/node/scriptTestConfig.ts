/**
 * The test patterns a JavaScript/TypeScript project's runner config declares, where they can be
 * read without running the config: jest `testMatch` / `testRegex` / `roots` (package.json, a JSON
 * config, or literal arrays in jest.config.*), vitest `include` in the `test` block, mocha `spec`
 * (.mocharc.*, package.json). A config computed at run time adds nothing; the conventions still apply.
 */
import type { RunnerTestPatterns } from '../languageModule';
import { isGlob } from '../testGlob';

const JEST_CONFIGS = ['jest.config.json', 'jest.config.js', 'jest.config.cjs', 'jest.config.mjs', 'jest.config.ts'];
const VITEST_CONFIGS = ['vitest', 'vite'].flatMap((name) =>
  ['ts', 'mts', 'js', 'mjs'].map((e) => `${name}.config.${e}`),
);
const MOCHA_CONFIGS = [
  '.mocharc.json',
  '.mocharc.jsonc',
  '.mocharc.yml',
  '.mocharc.yaml',
  '.mocharc.js',
  '.mocharc.cjs',
];

export const SCRIPT_CONFIG_FILES = ['package.json', ...JEST_CONFIGS, ...VITEST_CONFIGS, ...MOCHA_CONFIGS];

interface Collected {
  globs: string[];
  regexes: RegExp[];
  roots: string[];
  sources: string[];
}

export function scriptRunnerPatterns(configs: ReadonlyMap<string, string>): RunnerTestPatterns {
  const out: Collected = { globs: [], regexes: [], roots: [], sources: [] };
  let packageName: string | undefined;
  const pkg = parseJson(configs.get('package.json'));
  if (pkg) {
    if (typeof pkg.name === 'string') packageName = pkg.name;
    if (isRecord(pkg.jest)) addJest(out, pkg.jest, 'jest config in package.json');
    if (isRecord(pkg.mocha)) addMochaSpec(out, pkg.mocha.spec, 'mocha spec in package.json');
  }
  for (const name of JEST_CONFIGS) {
    const text = configs.get(name);
    if (text === undefined) continue;
    const json = name.endsWith('.json') ? parseJson(text) : literalKeys(text, ['testMatch', 'roots', 'testRegex']);
    if (json) addJest(out, json, `jest config in ${name}`);
  }
  for (const name of VITEST_CONFIGS) {
    const text = configs.get(name);
    const block = text === undefined ? undefined : testBlock(text);
    if (block === undefined) continue;
    const include = literalKeys(block, ['include']).include;
    if (Array.isArray(include)) addGlobs(out, include, `vitest include in ${name}`);
  }
  for (const name of MOCHA_CONFIGS) {
    const text = configs.get(name);
    if (text === undefined) continue;
    const spec =
      name.endsWith('.json') || name.endsWith('.jsonc')
        ? parseJson(stripComments(text))?.spec
        : name.includes('.y')
          ? yamlSpec(text)
          : literalKeys(text, ['spec']).spec;
    addMochaSpec(out, spec, `mocha spec in ${name}`);
  }
  return {
    globs: out.globs,
    regexes: out.regexes,
    roots: out.roots,
    ...(out.sources.length > 0 ? { source: out.sources.join(', ') } : {}),
    ...(packageName ? { packageName } : {}),
  };
}

function addJest(out: Collected, config: Record<string, unknown>, source: string): void {
  const before = out.globs.length + out.regexes.length;
  addGlobs(out, asStrings(config.testMatch), source);
  for (const text of asStrings(config.testRegex)) {
    try {
      out.regexes.push(new RegExp(text));
    } catch {
      // A pattern JavaScript cannot compile is one jest cannot use either.
    }
  }
  if (out.globs.length + out.regexes.length > before && !out.sources.includes(source)) out.sources.push(source);
  for (const root of asStrings(config.roots)) out.roots.push(clean(root));
}

function addMochaSpec(out: Collected, spec: unknown, source: string): void {
  const globs = asStrings(spec).map((entry) => {
    const path = clean(entry);
    if (isGlob(path) || /\.[cm]?[jt]sx?$/.test(path)) return path;
    return `${path}/**/*`;
  });
  addGlobs(out, globs, source);
}

function addGlobs(out: Collected, globs: readonly unknown[], source: string): void {
  const strings = globs.filter((g): g is string => typeof g === 'string').map(clean);
  if (strings.length === 0) return;
  out.globs.push(...strings);
  if (!out.sources.includes(source)) out.sources.push(source);
}

/** `<rootDir>/src` → `src`, `./test` → `test`, no trailing slash. */
function clean(path: string): string {
  return path
    .replace(/^<rootDir>\/?/, '')
    .replace(/^\.\//, '')
    .replace(/\/$/, '');
}

function asStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function stripComments(text: string): string {
  return text.replace(/^\s*\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

const STRING = /'((?:\\.|[^'\\\n])*)'|"((?:\\.|[^"\\\n])*)"|`((?:\\.|[^`\\$])*)`/g;

function strings(text: string): string[] {
  return [...text.matchAll(STRING)].map((m) => (m[1] ?? m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'));
}

/** `key: [ 'a', "b" ]` or `key: 'a'` written as literals in a JS/TS config; anything computed is skipped. */
function literalKeys(text: string, keys: readonly string[]): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  for (const key of keys) {
    const array = new RegExp(`\\b${key}\\s*:\\s*\\[([^\\]]*)\\]`).exec(text);
    if (array) {
      found[key] = strings(array[1] ?? '');
      continue;
    }
    const single = new RegExp(`\\b${key}\\s*:\\s*('[^'\\n]*'|"[^"\\n]*"|\`[^\`$]*\`)`).exec(text);
    if (single) found[key] = strings(single[1] ?? '');
  }
  return found;
}

/** The text of the `test: { … }` block of a vite/vitest config, without its `coverage` block (whose include lists sources). */
function testBlock(text: string): string | undefined {
  const block = braced(text, /\btest\s*:\s*\{/);
  if (block === undefined) return undefined;
  const coverage = braced(block, /\bcoverage\s*:\s*\{/);
  return coverage === undefined ? block : block.replace(coverage, '');
}

function braced(text: string, opening: RegExp): string | undefined {
  const match = opening.exec(text);
  if (!match) return undefined;
  const start = match.index + match[0].length - 1;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/** `spec: x`, `spec: [a, b]` or `spec:` followed by `- a` lines. */
function yamlSpec(text: string): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => /^spec\s*:/.test(line));
  if (at < 0) return [];
  const rest = (lines[at] ?? '').replace(/^spec\s*:\s*/, '').trim();
  const unquote = (s: string): string => s.trim().replace(/^['"]|['"]$/g, '');
  if (rest.startsWith('[')) return rest.slice(1, rest.lastIndexOf(']')).split(',').map(unquote).filter(Boolean);
  if (rest !== '') return [unquote(rest)];
  const items: string[] = [];
  for (const line of lines.slice(at + 1)) {
    const item = /^\s+-\s+(.+)$/.exec(line);
    if (!item) break;
    items.push(unquote(item[1] ?? ''));
  }
  return items;
}
