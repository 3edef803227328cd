// Finds the target (`name` or `Class.method`) in the job's module and, when asked, puts the
// recorder in its place so that tests get the wrapped version:
// - a function declared at the top level (exported or not): its binding is wrapped in the source
//   as the module loads (instrument.mjs; the loader hook for ES modules, Module#_compile for
//   CommonJS), so calls from inside the module and through import cycles are recorded too;
// - otherwise, ESM function: the loader hook serves the module's URL as a wrapper module (see
//   loaderHooks.mjs); CommonJS function: the property of module.exports is replaced (or
//   module.exports itself);
// - Class.method: the prototype (or static) method is replaced in place, in either format.
import fs from 'node:fs';
import path from 'node:path';
import Module, { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { completedSpecifier, isFile } from './loaderHooks.mjs';
import { testsReadFrom } from './currentTest.mjs';
import { HarnessError } from './harnessError.mjs';
import { ESM_SYNTAX, instrumentSource } from './instrument.cjs';

/** Instrumented bindings by key: the function the module declared, and how to wrap and restore it. */
const bindings = new Map();

function bindingKey(abs, name) {
  return `${abs}#${name}`;
}

/** What __afterburnerWrap handed out: a function declaration is wrapped twice (see instrument.cjs), once counts. */
const handedOut = new WeakSet();
globalThis.__afterburnerWrap = (fn, key, set) => {
  const entry = bindings.get(key);
  if (!entry || typeof fn !== 'function' || handedOut.has(fn)) return fn;
  // The first load is the harness's own (the one measured); a runner with a module registry of its
  // own (jest) loads the module again for each test file, and each of those copies is recorded too.
  entry.original ??= fn;
  entry.set ??= set;
  const wrapped = entry.wrap ? entry.wrap(fn) : fn;
  handedOut.add(wrapped);
  return wrapped;
};
globalThis.__afterburnerWrapMethod = (Cls, key) => bindings.get(key)?.wrapMethod?.(Cls);
// The same entrances for code running in another realm of this process (jestSetup.cjs).
process.__afterburnerWrap = globalThis.__afterburnerWrap;
process.__afterburnerWrapMethod = globalThis.__afterburnerWrapMethod;
process.__afterburnerTestsReadFrom = testsReadFrom;

// The host emits each TypeScript file as .mjs or .cjs beside it and keeps the .ts when the
// project's jest compiles TypeScript itself; these two map one to the other.
const TYPESCRIPT = /\.[cm]?tsx?$/;
const EMITTED = /\.[cm]?js$/;

/** The TypeScript sources kept beside an emitted module. */
function typeScriptBeside(file) {
  if (!EMITTED.test(file)) return [];
  return ['.ts', '.tsx', '.mts', '.cts'].map((ext) => file.replace(EMITTED, ext)).filter((p) => fs.existsSync(p));
}

/** The module emitted beside a TypeScript file, else the file itself. */
export function emittedBeside(file) {
  if (!TYPESCRIPT.test(file)) return file;
  const stem = file.replace(TYPESCRIPT, '');
  return ['.cjs', '.mjs'].map((ext) => stem + ext).find((p) => fs.existsSync(p)) ?? file;
}

/**
 * What the loader hook (ES modules) and Module#_compile (CommonJS) instrument: the target's
 * top-level binding in each module path given, when its source declares one.
 */
export function instrumentationPlans(modulePaths, target) {
  const plans = [];
  for (const modulePath of modulePaths) {
    const abs = path.resolve(modulePath);
    let source;
    try {
      source = fs.readFileSync(abs, 'utf8');
    } catch {
      continue;
    }
    if (instrumentSource(source, target) === undefined) continue;
    const key = bindingKey(abs, target);
    bindings.set(key, { original: undefined, wrap: undefined, set: undefined });
    // A method is wrapped in place once its class is loaded; only a runner with a module registry
    // of its own needs it instrumented (jestTransform.cjs).
    plans.push({ abs, url: pathToFileURL(abs).href, name: target, key, registryOnly: target.includes('.') });
    // A module emitted from TypeScript beside its source: a runner that compiles TypeScript itself
    // (ts-jest) loads the .ts file, which gets the same binding key.
    for (const ts of typeScriptBeside(abs))
      plans.push({ abs: ts, url: pathToFileURL(ts).href, name: target, key, registryOnly: true });
  }
  return plans;
}

/** CommonJS modules are compiled by Module#_compile, which the loader hooks do not see (Node 20). */
export function instrumentCommonJs(plans) {
  if (plans.length === 0) return;
  const compile = Module.prototype._compile;
  Module.prototype._compile = function instrumentedCompile(content, filename) {
    const plan = plans.find((p) => p.abs === filename && !p.registryOnly);
    const source = plan ? (instrumentSource(content, plan.name, plan.key) ?? content) : content;
    return compile.call(this, source, filename);
  };
}

export const ORIGINAL_QUERY = '?afterburner-original';

/**
 * 'esm' or 'cjs' by extension, then by the nearest package.json "type", except that a `.js` file
 * written with ES module syntax in a CommonJS package (babel style) is loaded as an ES module.
 */
export function moduleFormat(file) {
  if (file.endsWith('.mjs')) return 'esm';
  if (file.endsWith('.cjs')) return 'cjs';
  const declared = declaredFormat(file);
  if (declared === 'cjs' && /\.jsx?$/.test(file)) {
    try {
      if (ESM_SYNTAX.test(fs.readFileSync(file, 'utf8'))) return 'esm';
    } catch {
      // unreadable: as declared
    }
  }
  return declared;
}

/** What the extension and the nearest package.json "type" say, whatever syntax the file uses. */
export function declaredFormat(file) {
  if (file.endsWith('.mjs')) return 'esm';
  if (file.endsWith('.cjs')) return 'cjs';
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return JSON.parse(fs.readFileSync(pkg, 'utf8')).type === 'module' ? 'esm' : 'cjs';
      } catch {
        return 'cjs';
      }
    }
    if (path.dirname(dir) === dir) return 'cjs';
  }
}

function describeExports(exportsObj) {
  const names = Object.keys(exportsObj ?? {}).filter((k) => k !== '__esModule');
  if (typeof exportsObj === 'function') names.unshift(`module.exports = ${exportsObj.name || 'anonymous function'}`);
  if (names.length === 0) return 'it exports nothing';
  return `its exports are: ${names
    .map((n) => {
      const v = exportsObj[n];
      if (typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v))) {
        const methods = Object.getOwnPropertyNames(v.prototype).filter((m) => m !== 'constructor');
        return `${n} (class: ${methods.join(', ') || 'no methods'})`;
      }
      return n;
    })
    .join(', ')}`;
}

/** An exported value by name, also when it is the default export or `module.exports` itself. */
function findExport(exportsObj, name) {
  if (exportsObj == null) return undefined;
  if (Object.prototype.hasOwnProperty.call(exportsObj, name)) return { key: name, value: exportsObj[name] };
  const dflt = exportsObj.default;
  if (typeof dflt === 'function' && dflt.name === name) return { key: 'default', value: dflt };
  return undefined;
}

/**
 * Finds classes by name (recorded instances are rebuilt from them): the module's exports, then
 * what it imports (`neighbours`, e.g. the class of an instance held in a field).
 */
function classLookup(exportsObj, neighbours = new Map()) {
  return (name) => {
    const hit = findExport(exportsObj, name);
    if (hit && typeof hit.value === 'function') return hit.value;
    if (typeof exportsObj === 'function' && exportsObj.name === name) return exportsObj;
    return neighbours.get(name);
  };
}

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The file a relative specifier names, completed as the loader hooks complete it (`./Sort` → `./Sort.js`). */
function importedFile(from, spec) {
  const parent = pathToFileURL(from).href;
  const named = new URL(spec, parent).href;
  const url = isFile(named) ? named : completedSpecifier(spec, parent);
  return url === undefined ? undefined : fileURLToPath(url);
}

/** How far the class lookup follows relative imports (a class's module imported by a base class's module). */
const MAX_IMPORTED_MODULES = 50;

/**
 * The functions and classes exported by the modules `abs` imports by relative path, and by the
 * modules those import, by name (the nearest first): the class of an instance held in a field may
 * live in a module the target's own module never names (a base class's module imports it).
 */
async function importedExports(abs, format) {
  const found = new Map();
  const add = (ns) => {
    for (const value of [ns, ...Object.values(ns ?? {})]) {
      if (typeof value === 'function' && value.name && !found.has(value.name)) found.set(value.name, value);
    }
  };
  const visited = new Set([abs]);
  const queue = [abs];
  while (queue.length > 0 && visited.size <= MAX_IMPORTED_MODULES) {
    const from = queue.shift();
    let source;
    try {
      source = fs.readFileSync(from, 'utf8');
    } catch {
      continue;
    }
    for (const [, spec] of source.matchAll(RELATIVE_IMPORT)) {
      try {
        // Already loaded with the module (so not evaluated again); the loader hooks complete the path.
        const file = importedFile(from, spec);
        if (file === undefined || visited.has(file)) continue;
        visited.add(file);
        add(format === 'esm' ? await import(pathToFileURL(file).href) : createRequire(from)(file));
        queue.push(file);
      } catch {
        // not a module this lookup can reach; its classes are then rebuilt as plain objects
      }
    }
  }
  return found;
}

/**
 * Loads the module and locates the target. `intercept` installs the recorder wrapper made by
 * `wrapFor(kind)` (kind: 'function' | 'method' | 'static'). Returns what replay needs:
 * the unwrapped callable, how to bind `this`, and a class lookup for recreating instances.
 */
export async function loadTarget({ modulePath, target, intercept, wrapFor }) {
  const abs = path.resolve(modulePath);
  if (!fs.existsSync(abs)) throw new HarnessError(`module ${modulePath} does not exist in the work dir`);
  const format = moduleFormat(abs);
  const url = pathToFileURL(abs).href;
  const [first, method] = target.split('.', 2);
  const isMethod = method !== undefined;
  let exportsObj;
  let cjsModule;
  const binding = isMethod ? undefined : bindings.get(bindingKey(abs, first));
  if (binding) {
    let wrap;
    const wrappers = new WeakMap();
    binding.wrap = intercept
      ? (fn) => {
          wrap ??= wrapFor('function');
          if (!wrappers.has(fn)) wrappers.set(fn, wrap(fn));
          return wrappers.get(fn);
        }
      : undefined;
    let loaded;
    if (format === 'esm') {
      loaded = await import(url);
    } else {
      const req = createRequire(abs);
      req(abs);
      loaded = req.cache[abs]?.exports;
    }
    if (typeof binding.original === 'function') {
      const fn = binding.original;
      const set = binding.set;
      return {
        kind: 'function',
        fn,
        thisFor: () => undefined,
        classes: classLookup(loaded, await importedExports(abs, format)),
        hook: undefined,
        url,
        format,
        abs,
        // The measurement calls the function without the recorder in the way of its own recursive calls.
        unwrap: () => set?.(fn),
        // The tests' calls timed in place after the measurement (inPlace.mjs) go through it again.
        rewrap: () => set?.(binding.wrap?.(fn) ?? fn),
      };
    }
  }
  if (format === 'esm') {
    exportsObj = await import(intercept && !isMethod ? url + ORIGINAL_QUERY : url);
  } else {
    const req = createRequire(abs);
    exportsObj = req(abs);
    cjsModule = req.cache[abs];
  }
  const lookup = (obj) => {
    if (typeof obj === 'function' && obj.name === first && format === 'cjs') return { key: undefined, value: obj };
    return findExport(obj, first);
  };
  const found = lookup(format === 'cjs' ? cjsModule.exports : exportsObj);
  if (!found || typeof found.value !== 'function') {
    throw new HarnessError(
      `\`${first}\` is not ${found ? 'a function or class' : 'exported'} by ${modulePath}; ${describeExports(format === 'cjs' ? cjsModule.exports : exportsObj)}. Export it (e.g. \`export function ${first}\` / \`module.exports.${first} = ${first}\`) or pick one of those.`,
    );
  }
  const classes = classLookup(format === 'cjs' ? cjsModule.exports : exportsObj, await importedExports(abs, format));

  if (!isMethod) {
    const fn = found.value;
    let hook;
    if (intercept) {
      const wrapped = wrapFor('function')(fn);
      if (format === 'esm') {
        globalThis.__afterburner.wrapped = wrapped;
        hook = { url, exportName: found.key, hasDefault: 'default' in exportsObj && found.key !== 'default' };
      } else if (found.key === undefined) {
        cjsModule.exports = wrapped;
      } else {
        cjsModule.exports[found.key] = wrapped;
      }
    }
    return { kind: 'function', fn, thisFor: () => undefined, classes, hook, url, format, abs };
  }

  const Cls = found.value;
  const onProto = Cls.prototype && typeof Cls.prototype[method] === 'function';
  const isStatic = !onProto && typeof Cls[method] === 'function';
  if (!onProto && !isStatic) {
    const methods = Object.getOwnPropertyNames(Cls.prototype ?? {}).filter((m) => m !== 'constructor');
    const statics = Object.getOwnPropertyNames(Cls).filter((m) => typeof Cls[m] === 'function');
    throw new HarnessError(
      `class ${first} in ${modulePath} has no method \`${method}\`; its methods are: ${[...methods, ...statics.map((s) => `static ${s}`)].join(', ') || 'none'}.`,
    );
  }
  const owner = isStatic ? Cls : Cls.prototype;
  const fn = owner[method];
  if (intercept) {
    const wrap = wrapFor(isStatic ? 'static' : 'method');
    const replace = (on) => {
      if (typeof on?.[method] !== 'function') return;
      Object.defineProperty(on, method, {
        value: wrap(on[method]),
        writable: true,
        configurable: true,
        enumerable: false,
      });
    };
    replace(owner);
    const binding = bindings.get(bindingKey(abs, target));
    if (binding) binding.wrapMethod = (Other) => replace(isStatic ? Other : Other?.prototype);
  }
  return {
    kind: isStatic ? 'static' : 'method',
    fn,
    thisFor: isStatic ? () => Cls : (decoded) => decoded,
    classes,
    hook: undefined,
    url,
    format,
    abs,
  };
}
