// Module loader hooks (module.register). They run on the loader thread and only rewrite what
// modules are served; the recording itself happens on the main thread.
// - `node:test` (and test-runner packages the harness stands in for) → the harness's shim;
// - module semantics that bundlers and babel-jest accept and plain Node does not: extensionless
//   relative imports and directory imports (`./Sort` → `./Sort.js`, `./heap` → `./heap/index.js`),
//   tsconfig `paths` aliases (`@/common` → `src/common/index.ts`'s emitted module), JSON imported
//   without an import attribute, and ES module syntax in a `.js` file of a package
//   without `"type": "module"` (served as an ES module; the user's own files only);
// - `instrument`: the target module's source with the function's binding wrapped (instrument.mjs),
//   so calls from inside the module and through import cycles are recorded too;
// - `wrapTarget` (when the binding cannot be found in the source): the target module's URL → a
//   small wrapper module that re-exports everything from the original (imported with the
//   `?afterburner-original` query, so it is evaluated once) and exports the recorder wrapper under
//   the target's name (an explicit export shadows `export *`).
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESM_SYNTAX, instrumentSource } from './instrument.cjs';
import { aliasedPath } from './pathAliases.mjs';

let config = { redirects: {}, wrapTarget: undefined, instrument: [] };

export function initialize(data) {
  config = { redirects: {}, instrument: [], ...data };
}

/** Tried in this order after a relative specifier that names no file. */
const EXTENSIONS = ['.js', '.mjs', '.cjs', '.jsx', '.json', '.ts', '.mts', '.cts', '.tsx'];
const INDEX_FILES = EXTENSIONS.map((ext) => `/index${ext}`);

export function isFile(url) {
  try {
    return fs.statSync(fileURLToPath(url)).isFile();
  } catch {
    return false;
  }
}

export function completedSpecifier(specifier, parentURL) {
  const relative = /^\.{1,2}(\/|$)/.test(specifier) && parentURL?.startsWith('file:');
  if (!relative && !specifier.startsWith('file:')) return undefined;
  const base = new URL(specifier, parentURL);
  // A TypeScript file is emitted beside itself as .mjs/.cjs before the run: `./x.js` may mean `./x.ts`.
  const stem = base.href.replace(/\.js$/, '');
  for (const suffix of stem === base.href ? [...EXTENSIONS, ...INDEX_FILES] : ['.mjs', '.cjs']) {
    const url = `${stem}${suffix}`.replace(/\/\/index/, '/index');
    if (isFile(url)) return url;
  }
  return undefined;
}

function aliasedUrl(specifier) {
  for (const file of aliasedPath(specifier)) {
    const url = pathToFileURL(file).href;
    if (isFile(url)) return url;
    const completed = completedSpecifier(url, undefined);
    if (completed) return completed;
  }
  return undefined;
}

export async function resolve(specifier, context, nextResolve) {
  const redirect = config.redirects[specifier];
  if (redirect && context.parentURL !== redirect) return { url: redirect, shortCircuit: true };
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' && error?.code !== 'ERR_UNSUPPORTED_DIR_IMPORT') throw error;
    const url = completedSpecifier(specifier, context.parentURL) ?? aliasedUrl(specifier);
    if (!url) throw error;
    return nextResolve(url, context);
  }
}

function wrapperSource({ url, exportName, hasDefault }) {
  const original = JSON.stringify(`${url}?afterburner-original`);
  const lines = [`export * from ${original};`];
  if (exportName === 'default') {
    lines.push('export default globalThis.__afterburner.wrapped;');
  } else {
    lines.push(`const wrapped = globalThis.__afterburner.wrapped;`);
    lines.push(`export { wrapped as ${JSON.stringify(exportName)} };`);
    if (hasDefault) lines.push(`export { default } from ${original};`);
  }
  return lines.join('\n');
}

function readSource(url) {
  try {
    return fs.readFileSync(fileURLToPath(url), 'utf8');
  } catch {
    return undefined;
  }
}

function withoutQuery(url) {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}

export async function load(url, context, nextLoad) {
  const target = config.wrapTarget;
  if (target && url === target.url) {
    return { format: 'module', source: wrapperSource(target), shortCircuit: true };
  }
  if (url.endsWith('.json') && url.startsWith('file:')) {
    // Bundlers and jest import JSON without `with { type: 'json' }`; Node 20 insists on it.
    const attributes = { ...(context.importAttributes ?? context.importAssertions), type: 'json' };
    return nextLoad(url, { ...context, importAttributes: attributes, importAssertions: attributes });
  }
  const loaded = await nextLoad(url, context);
  if (!url.startsWith('file:') || url.includes('/node_modules/')) return loaded;
  let { format, source } = loaded;
  if (format === 'commonjs' && /\.jsx?$/.test(withoutQuery(url))) {
    const text = readSource(url);
    if (text !== undefined && ESM_SYNTAX.test(text)) {
      format = 'module';
      source = text;
    }
  }
  const plan = format === 'module' ? config.instrument.find((entry) => entry.url === withoutQuery(url)) : undefined;
  if (plan) {
    const text = source === undefined || source === null ? readSource(url) : String(source);
    const instrumented = text === undefined ? undefined : instrumentSource(text, plan.name, plan.key);
    if (instrumented !== undefined) source = instrumented;
  }
  if (format === loaded.format && source === loaded.source) return loaded;
  return { ...loaded, format, source, shortCircuit: true };
}
