// Finds the target (`name` or `Class.method`) in the job's module and, when asked, puts the
// recorder in its place so that tests get the wrapped version:
// - ESM function: the loader hook serves the module's URL as a wrapper module (see loaderHooks.mjs);
// - CommonJS function: the property of module.exports is replaced (or module.exports itself);
// - Class.method: the prototype (or static) method is replaced in place, in either format.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { HarnessError } from './harnessError.mjs';

export const ORIGINAL_QUERY = '?afterburner-original';

/** 'esm' or 'cjs' by extension, then by the nearest package.json "type". */
export function moduleFormat(file) {
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
  const exportsForClasses = format === 'cjs' ? cjsModule.exports : exportsObj;
  const classes = (name) => {
    const hit = findExport(exportsForClasses, name);
    if (hit && typeof hit.value === 'function') return hit.value;
    if (typeof exportsForClasses === 'function' && exportsForClasses.name === name) return exportsForClasses;
    return undefined;
  };

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
    const wrapped = wrapFor(isStatic ? 'static' : 'method')(fn);
    Object.defineProperty(owner, method, { value: wrapped, writable: true, configurable: true, enumerable: false });
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
