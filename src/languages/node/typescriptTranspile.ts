/**
 * TypeScript → JavaScript on the host, before files enter the sandbox (the harness only sees JS).
 * Each file is transformed on its own with esbuild (types stripped, no type check, no bundling)
 * and written next to the original as .mjs (ESM) or .cjs (CommonJS); relative import specifiers
 * that point at TypeScript files (`./x`, `./x.js`, `./x.ts`) are rewritten to the emitted names.
 * Each emitted file ends in an inline source map (with the TypeScript source), which the harness
 * uses to report hot lines and failure locations as lines of the .ts file; rewriting a specifier
 * stays within its line, so the map's lines stay right.
 */
import { transformSync, type Message, type TransformFailure } from 'esbuild';
import path from 'node:path';
import type { SourceFile } from '../../core/sandboxTypes';
import { errorMessage } from '../../core/errorMessage';
import type { TranspileInput, TranspileOutcome } from '../languageModule';
import { importsVitest } from './vitestImport';

type Format = 'esm' | 'cjs';

const TS_FILE = /\.(ts|tsx|mts|cts)$/;
/** jest reads its own TypeScript config (through ts-node); it is never emitted beside itself. */
const JEST_CONFIG = /^jest\.config\.ts$/;
const JS_EXTENSION = /\.(js|jsx|mjs|cjs)$/;
const POSIX = path.posix;

export function isTypeScriptPath(p: string): boolean {
  return TS_FILE.test(p) && !p.endsWith('.d.ts');
}

/** CommonJS when the nearest package.json among the job's files says so; ESM otherwise. */
function projectFormat(file: string, packageTypes: ReadonlyMap<string, Format>): Format {
  for (let dir = POSIX.dirname(file); ; dir = POSIX.dirname(dir)) {
    const found = packageTypes.get(dir === '.' ? '' : dir);
    if (found) return found;
    if (dir === '.' || dir === '/' || dir === '') return 'esm';
  }
}

function packageTypesOf(files: readonly SourceFile[]): Map<string, Format> {
  const types = new Map<string, Format>();
  for (const f of files) {
    if (POSIX.basename(f.path) !== 'package.json') continue;
    let type: unknown;
    try {
      type = (JSON.parse(f.content) as { type?: unknown }).type;
    } catch {
      type = undefined;
    }
    const dir = POSIX.dirname(f.path);
    types.set(dir === '.' ? '' : dir, type === 'module' ? 'esm' : 'cjs');
  }
  return types;
}

function formatOf(file: string, packageTypes: ReadonlyMap<string, Format>, vitest: boolean): Format {
  if (file.endsWith('.cts')) return 'cjs';
  if (file.endsWith('.mts') || vitest) return 'esm';
  return projectFormat(file, packageTypes);
}

/**
 * vitest runs TypeScript as ES modules whatever package.json says, and refuses to be require()d:
 * a job whose TypeScript tests import it is emitted as ES modules throughout.
 */
function usesVitest(files: readonly SourceFile[]): boolean {
  return files.some((f) => isTypeScriptPath(f.path) && importsVitest(f.content));
}

function emittedPath(file: string, format: Format): string {
  return file.replace(TS_FILE, format === 'esm' ? '.mjs' : '.cjs');
}

/** The TypeScript file a relative specifier means, if any. */
function resolveTypeScript(fromFile: string, specifier: string, tsFiles: ReadonlySet<string>): string | undefined {
  const base = POSIX.normalize(POSIX.join(POSIX.dirname(fromFile), specifier));
  const stem = base.replace(JS_EXTENSION, '');
  const candidates = TS_FILE.test(base)
    ? [base]
    : [
        ...['.ts', '.tsx', '.mts', '.cts'].map((e) => stem + e),
        ...['.ts', '.tsx', '.mts', '.cts'].map((e) => `${base}/index${e}`),
      ];
  if (base.endsWith('.mjs')) candidates.unshift(`${stem}.mts`);
  if (base.endsWith('.cjs')) candidates.unshift(`${stem}.cts`);
  return candidates.find((c) => tsFiles.has(c));
}

function relativeSpecifier(fromFile: string, toFile: string): string {
  const rel = POSIX.relative(POSIX.dirname(fromFile), toFile);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"'\n]*)\2/g;

function rewriteSpecifiers(code: string, fromTs: string, emitted: ReadonlyMap<string, string>): string {
  const fromJs = emitted.get(fromTs) ?? fromTs;
  return code.replace(SPECIFIER, (whole, lead: string, quote: string, spec: string) => {
    const ts = resolveTypeScript(fromTs, spec, new Set(emitted.keys()));
    if (!ts) return whole;
    return `${lead}${quote}${relativeSpecifier(fromJs, emitted.get(ts) ?? ts)}${quote}`;
  });
}

function isTransformFailure(e: unknown): e is TransformFailure {
  return typeof e === 'object' && e !== null && Array.isArray((e as { errors?: unknown }).errors);
}

function describeMessage(file: string, m: Message): string {
  const loc = m.location;
  const where = loc ? `${file}:${loc.line}:${loc.column + 1}` : file;
  const snippet = loc?.lineText ? `\n  ${loc.lineText.trim()}` : '';
  return `${where}: ${m.text}${snippet}`;
}

/**
 * Transpiles the job's TypeScript files. Never throws: a syntax error is an `error` outcome whose
 * message names file:line:column.
 */
export function transpileTypeScript(input: TranspileInput & { readonly keepSources?: boolean }): TranspileOutcome {
  const keep = input.keepSources === true;
  const packageTypes = packageTypesOf(input.files);
  const vitest = usesVitest(input.files);
  const emitted = new Map<string, string>();
  const formats = new Map<string, Format>();
  for (const f of input.files) {
    if (!isTypeScriptPath(f.path) || (keep && JEST_CONFIG.test(f.path))) continue;
    const format = formatOf(f.path, packageTypes, vitest);
    formats.set(f.path, format);
    emitted.set(f.path, emittedPath(f.path, format));
  }
  const emittedNames = new Set(emitted.values());
  const clash = input.files.find((f) => !emitted.has(f.path) && emittedNames.has(f.path));
  if (clash) {
    return {
      kind: 'error',
      message: `Cannot transpile: ${clash.path} already exists and would be overwritten by the emitted JavaScript of a TypeScript file.`,
    };
  }
  const files: SourceFile[] = [];
  for (const f of input.files) {
    const format = formats.get(f.path);
    if (format === undefined) {
      // JavaScript files (e.g. tests) may import the TypeScript module too.
      if (JS_EXTENSION.test(f.path))
        files.push({ path: f.path, content: rewriteSpecifiers(f.content, f.path, emitted) });
      else if (!f.path.endsWith('.d.ts')) files.push(f);
      continue;
    }
    // Kept beside its emitted JavaScript for a runner that compiles TypeScript itself (ts-jest):
    // the tests run as .ts through it, the harness loads the emitted module to replay calls.
    if (keep) files.push(f);
    let code: string;
    try {
      code = transformSync(f.content, {
        loader: f.path.endsWith('.tsx') ? 'tsx' : 'ts',
        format,
        target: 'node18',
        // CommonJS output then names its exports for Node's ESM importers (`import { x } from './m.cjs'`).
        platform: 'node',
        // An inline map whose source is named relative to the emitted file (they share a folder),
        // so stack traces and hot lines in the sandbox point at the user's TypeScript lines.
        sourcefile: POSIX.basename(f.path),
        sourcemap: 'inline',
        logLevel: 'silent',
        tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: false, preserveValueImports: false } },
      }).code;
    } catch (e) {
      const message =
        isTransformFailure(e) && e.errors.length > 0
          ? `TypeScript syntax error in ${describeMessage(f.path, e.errors[0] as Message)}`
          : `Cannot transpile ${f.path}: ${errorMessage(e)}`;
      if (f.path === input.modulePath || input.testPaths.includes(f.path)) return { kind: 'error', message };
      // A broken file that sits beside the module but is not the module or a test must not stop
      // the run: it fails, with the same message, only if something actually imports it.
      files.push({
        path: emitted.get(f.path) ?? f.path,
        content: `throw new SyntaxError(${JSON.stringify(message)});\n`,
      });
      continue;
    }
    files.push({ path: emitted.get(f.path) ?? f.path, content: rewriteSpecifiers(code, f.path, emitted) });
  }
  const rename = (p: string): string => emitted.get(p) ?? p;
  return {
    kind: 'ok',
    files,
    modulePath: rename(input.modulePath),
    testPaths: keep ? input.testPaths : input.testPaths.map(rename),
  };
}
