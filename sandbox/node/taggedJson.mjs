import { inspect } from 'node:util';
import { boundParts, capturedVariables } from './closureScopes.mjs';

// Tagged JSON: a lossless-enough copy of JavaScript values as JSON, used both as the deep copy
// taken around each recorded call and as the recording format. Every non-primitive is an object
// with a `$t` tag, so user data can never be mistaken for a tag. Shared references and cycles
// become {$t:'ref', i} pointing at the `id` of the first occurrence.

const TYPED_ARRAYS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

/** Thrown when a value cannot be copied faithfully (symbols, WeakMaps, native functions…). */
export class NotCopyable extends Error {}

/** Thrown when a copy would take more than its budget of values (see encode). */
class TooLarge extends NotCopyable {}

/**
 * What one copy may cost, in values walked (a function copied from its source counts as
 * FUNCTION_COST: reading its variables takes inspector round trips, ~1 ms, as long as a thousand
 * values take to walk). Past MAX_VALUES the input is
 * too large to copy, and the call is timed in place instead of recorded. A variable around a
 * function gets MAX_VARIABLE_VALUES of its own and stays unbound past it: a test's listener that
 * calls mocha's `done` reaches the whole runner through it (its suites, tests and their
 * functions), and copying that took up to 4.7 s a call, so the tests timed out under recording
 * (0.16 s at most with these budgets).
 */
const MAX_VALUES = 250_000;
const MAX_VARIABLE_VALUES = 20_000;
const FUNCTION_COST = 1000;

// Functions among the inputs (a comparator, a key function, an options object's callback) are
// copied as what rebuilds them in another process: a built-in by its path from globalThis
// (`Math.max`, `String`), a bound function by its target, `this` and arguments, any other
// function by its source text with the variables it reads from around it (an imported helper, a
// factory's parameter), read through the inspector and copied like any input. What cannot be
// copied is left out, and the profile replays each call holding a rebuilt function on the
// original before it keeps it (replayPhase.mjs), so one that would replay another call is never
// part of a recording.

const NATIVE_SOURCE = /\{\s*\[native code\]\s*\}\s*$/;
/** The built-in functions of this realm: by identity, and by name where one name has one path. */
let builtins;

/** Each built-in function of this realm named by its path (`Math.max`), made once. */
function builtinIndex() {
  if (builtins) return builtins;
  const byFunction = new Map();
  const byName = new Map();
  const add = (fn, path) => {
    if (typeof fn !== 'function' || byFunction.has(fn) || !NATIVE_SOURCE.test(Function.prototype.toString.call(fn)))
      return;
    byFunction.set(fn, path);
    // A name two built-ins share is no name to look one up by.
    byName.set(fn.name, byName.has(fn.name) ? undefined : path);
  };
  const read = (owner, key) => {
    try {
      return owner[key];
    } catch {
      return undefined; // a throwing getter
    }
  };
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    const value = read(globalThis, name);
    add(value, name);
    // Namespaces and constructors (Math, JSON, Object, Number, …) hold the rest.
    if (/^[A-Z]/.test(name) && value !== null && (typeof value === 'object' || typeof value === 'function'))
      for (const key of Object.getOwnPropertyNames(value)) add(read(value, key), `${name}.${key}`);
  }
  builtins = { byFunction, byName };
  return builtins;
}

/**
 * A built-in's path: by identity, else (a built-in of another realm, such as a jest test file's
 * context) by its name where exactly one built-in of this realm has that name.
 */
function builtinPath(fn, source) {
  const { byFunction, byName } = builtinIndex();
  return byFunction.get(fn) ?? (fn.name && NATIVE_SOURCE.test(source) ? byName.get(fn.name) : undefined);
}

/** What rebuilds `fn`, its parts still live: `encode` copies them (shared references kept). */
function functionCopy(fn) {
  const name = fn.name || 'anonymous';
  const source = Function.prototype.toString.call(fn);
  const path = builtinPath(fn, source);
  if (path !== undefined) return { copy: { $t: 'fg', p: path } };
  if (NATIVE_SOURCE.test(source)) {
    let bound;
    try {
      bound = boundParts(fn);
    } catch (e) {
      throw new NotCopyable(`a bound function (${name}) whose parts could not be read: ${e?.message ?? e}`);
    }
    if (bound === undefined) throw new NotCopyable(`a built-in function (${name}) that cannot be rebuilt`);
    return { copy: { $t: 'fb' }, bound };
  }
  let variables;
  try {
    variables = capturedVariables(fn, source);
  } catch (e) {
    throw new NotCopyable(`a function (${name}) whose variables could not be read: ${e?.message ?? e}`);
  }
  // `extends Base` is evaluated once, where the class is declared: no closure keeps Base, the
  // prototype chain does.
  const base = CLASS_EXTENDS.exec(source)?.[1];
  if (base !== undefined && !variables.some(([n]) => n === base)) variables.push([base, Object.getPrototypeOf(fn)]);
  return { copy: { $t: 'fs', n: name, s: source }, variables };
}

const CLASS_EXTENDS = /^class\s*(?:[A-Za-z_$][\w$]*\s*)?extends\s+([A-Za-z_$][\w$]*)\s*\{/;

const NOT_COPIED = Symbol('not copied');

/**
 * Rebuilt functions by source and the variables they read: one function object per source and
 * variables, as one callback serves all the tests' calls, while closures of one source over other
 * values (the rules a factory made for 'a', '0' and 'A') stay apart. Each holds a setter of its
 * variables.
 */
const rebuilt = new Map();

const CLASS_SOURCE = /^class\b/;

/**
 * `source` evaluated strict inside a scope that declares `names`, with a setter of them. A
 * function is made first, so a variable may hold the function itself (a recursive arrow); a class
 * after its variables (`initial`) are set, as its `extends` is evaluated with it.
 */
function evaluateStrict(code, names, initial) {
  const declared = names.length > 0 ? `let ${names.join(', ')};` : '';
  const make = (0, eval)(
    `'use strict';\n(() => { ${declared} const set = (values) => { [${names.join(', ')}] = values; }; return (initial) => { if (initial) set(initial); return [${code}, set]; }; })()`,
  );
  return make(initial);
}

/**
 * A function from its source text: an expression (function, arrow, class), else a method written
 * in shorthand.
 */
function rebuildFunction(source, name, variables, initial) {
  const names = variables.map(([n]) => n);
  const key = variables.length > 0 ? `${canonical(variables)}\0${source}` : source;
  let made = rebuilt.get(key);
  if (made !== undefined) return made;
  let fn;
  let setVariables;
  try {
    [fn, setVariables] = evaluateStrict(`(${source}\n)`, names, initial);
  } catch (asExpression) {
    if (CLASS_SOURCE.test(source))
      throw new Error(
        `the class ${name} could not be rebuilt from its source: ${asExpression?.message ?? asExpression}`,
      );
    try {
      // `name(a) {…}`, `async *name() {…}`, `get name() {…}`: a method of an object literal.
      const [object, setter] = evaluateStrict(`({${source}\n})`, names, initial);
      const [descriptor] = Object.values(Object.getOwnPropertyDescriptors(object));
      fn = descriptor?.value ?? descriptor?.get ?? descriptor?.set;
      setVariables = setter;
    } catch (e) {
      throw new Error(`the function ${name} could not be rebuilt from its source: ${e?.message ?? e}`);
    }
  }
  if (typeof fn !== 'function') throw new Error(`the source of ${name} is not a function`);
  made = { fn, setVariables };
  rebuilt.set(key, made);
  return made;
}

function builtinAt(path) {
  let value = globalThis;
  for (const key of path.split('.')) value = value?.[key];
  if (typeof value !== 'function') throw new Error(`the built-in ${path} is not here`);
  return value;
}

function bytesToBase64(view) {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

function base64ToArrayBuffer(b64) {
  const buf = Buffer.from(b64, 'base64');
  const out = new ArrayBuffer(buf.length);
  new Uint8Array(out).set(buf);
  return out;
}

function encodeNumber(n) {
  if (Number.isNaN(n)) return { $t: 'n', v: 'NaN' };
  if (n === Infinity) return { $t: 'n', v: 'Infinity' };
  if (n === -Infinity) return { $t: 'n', v: '-Infinity' };
  if (Object.is(n, -0)) return { $t: 'n', v: '-0' };
  return n;
}

/**
 * Classes of the instances recorded in this process, by name: an instance of a class the target's
 * module does not export (e.g. a helper class imported from another module) is rebuilt from it.
 */
const classesSeen = new Map();

/** Object.prototype of any realm: the end of the chain, with the constructor named Object. */
/**
 * The copy of the class named `name` an instance of which was recorded here, for a process that
 * cannot find it by name (a class the test file declares); undefined when it cannot be copied.
 * A class written as `class` is its source; a constructor function (babel's output for a class)
 * also takes its prototype's own members and the name of the class it extends (`b`), which the
 * other process finds by name or from a copy of its own.
 */
export function classCopy(name) {
  const cls = classesSeen.get(name);
  if (cls === undefined) return undefined;
  try {
    if (CLASS_SOURCE.test(Function.prototype.toString.call(cls))) return encode(cls);
    const members = {};
    for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(cls.prototype)))
      if (key !== 'constructor') members[key] = 'value' in d ? { value: d.value } : { get: d.get, set: d.set };
    const parent = Object.getPrototypeOf(cls);
    return {
      k: encode(cls),
      m: encode(members),
      ...(typeof parent === 'function' && parent !== Function.prototype ? { b: parent.name } : {}),
    };
  } catch (e) {
    if (e instanceof NotCopyable) return undefined;
    throw e;
  }
}

/** The class a `classCopy` stands for, its parent and its own classes found through `classes`. */
export function rebuiltClass(copy, classes) {
  // The class itself is the one thing its own lookup must not find: that is what is being built.
  if (copy.k === undefined) return decode(copy, (name) => (name === copy.n ? undefined : classes(name)), true);
  const cls = decode(copy.k, classes, true);
  const parent = copy.b === undefined ? undefined : classes(copy.b);
  if (typeof parent === 'function') {
    Object.setPrototypeOf(cls, parent);
    Object.setPrototypeOf(cls.prototype, parent.prototype);
  }
  for (const [key, d] of Object.entries(decode(copy.m, classes, true)))
    Object.defineProperty(cls.prototype, key, {
      ...d,
      configurable: true,
      ...('value' in d ? { writable: true } : {}),
    });
  return cls;
}

function isObjectPrototype(proto) {
  return Object.getPrototypeOf(proto) === null && proto.constructor?.name === 'Object';
}

/**
 * Encodes `value` as tagged JSON. `strict` (inputs, which must replay exactly) copies functions as
 * what rebuilds them and throws NotCopyable on what cannot be rebuilt (symbols, classes, …);
 * otherwise functions and symbols are described by name (results, for comparison and messages).
 */
export function encode(value, strict = true) {
  const seen = new Map();
  let nextId = 0;
  let spent = 0;
  let cap = MAX_VALUES;
  const spend = (cost) => {
    spent += cost;
    if (spent > cap) throw new TooLarge(`more than ${MAX_VALUES.toLocaleString('en-US')} values (too large to copy)`);
  };
  // A variable around a function: copied within its own budget, or left unbound.
  const walkIfCopyable = (v) => {
    const before = seen.size;
    const spentBefore = spent;
    const outerCap = cap;
    cap = Math.min(outerCap, spent + MAX_VARIABLE_VALUES);
    try {
      return walk(v);
    } catch (e) {
      if (!(e instanceof NotCopyable) || (e instanceof TooLarge && spent > outerCap)) throw e;
      // What the failed copy saw is in no output: a later reference to it must copy it anew.
      for (const key of [...seen.keys()].slice(before)) seen.delete(key);
      spent = spentBefore;
      return NOT_COPIED;
    } finally {
      cap = outerCap;
    }
  };
  const walk = (v) => {
    spend(1);
    switch (typeof v) {
      case 'number':
        return encodeNumber(v);
      case 'string':
      case 'boolean':
        return v;
      case 'undefined':
        return { $t: 'u' };
      case 'bigint':
        return { $t: 'b', v: v.toString() };
      case 'symbol':
        if (strict) throw new NotCopyable('a Symbol');
        return { $t: 'sym', v: String(v.description) };
      case 'function': {
        if (!strict) return { $t: 'f', n: v.name || 'anonymous' };
        // One function passed twice stays one function.
        const known = seen.get(v);
        if (known !== undefined) return { $t: 'ref', i: known };
        spend(FUNCTION_COST);
        const { copy, variables, bound } = functionCopy(v);
        const id = nextId++;
        seen.set(v, id);
        // After `seen`: a variable may hold the function itself. One that cannot be copied stays
        // unbound: a call that reads it replays another outcome and is dropped with that outcome
        // as the reason; one that does not (a name in a comment) is kept.
        if (variables?.length) {
          const v = [];
          for (const [name, x] of variables) {
            const copied = walkIfCopyable(x);
            if (copied !== NOT_COPIED) v.push([name, copied]);
          }
          return { ...copy, id, v };
        }
        if (bound) return { ...copy, id, f: walk(bound.target), t: walk(bound.thisArg), a: bound.args.map(walk) };
        return { ...copy, id };
      }
      default:
        break;
    }
    if (v === null) return null;
    const known = seen.get(v);
    if (known !== undefined) return { $t: 'ref', i: known };
    const id = nextId++;
    seen.set(v, id);
    if (Array.isArray(v)) {
      const items = new Array(v.length);
      for (let i = 0; i < v.length; i++) items[i] = walk(v[i]);
      return { $t: 'a', id, v: items };
    }
    // By internal tag, not instanceof: values made in another realm (jest runs each test file in
    // a vm context of its own) are Maps, Dates and plain objects all the same.
    const tag = Object.prototype.toString.call(v).slice(8, -1);
    if (tag === 'Map') return { $t: 'm', id, v: [...v].map(([k, x]) => [walk(k), walk(x)]) };
    if (tag === 'Set') return { $t: 's', id, v: [...v].map(walk) };
    if (tag === 'Date') return { $t: 'd', id, v: encodeNumber(v.getTime()) };
    if (tag === 'RegExp') return { $t: 'r', id, s: v.source, f: v.flags, li: v.lastIndex };
    if (ArrayBuffer.isView(v) && tag !== 'DataView') {
      return { $t: 'ta', id, n: v.constructor.name, v: bytesToBase64(v) };
    }
    if (tag === 'DataView') return { $t: 'dv', id, v: bytesToBase64(v) };
    if (tag === 'ArrayBuffer') return { $t: 'ab', id, v: bytesToBase64(new Uint8Array(v)) };
    if (tag === 'Error' || v instanceof Error) {
      return { $t: 'e', id, n: v.constructor?.name ?? v.name, m: String(v.message) };
    }
    if (tag === 'WeakMap' || tag === 'WeakSet' || tag === 'Promise') {
      if (strict) throw new NotCopyable(`a ${v.constructor.name}`);
      return { $t: 'opaque', id, n: v.constructor.name };
    }
    const proto = Object.getPrototypeOf(v);
    // A property under a Symbol (an object made iterable by its own Symbol.iterator) is no
    // string-keyed data: a copy without it would replay a different call.
    // A module namespace's Symbol.toStringTag ('Module') names it, it holds no data.
    const symbols = Object.getOwnPropertySymbols(v).filter((s) => !(tag === 'Module' && s === Symbol.toStringTag));
    if (strict && symbols.length > 0) throw new NotCopyable(`a property keyed by ${String(symbols[0])}`);
    const props = [];
    for (const key of Object.keys(v)) props.push([key, walk(v[key])]);
    if (proto === Object.prototype || proto === null || isObjectPrototype(proto)) return { $t: 'o', id, v: props };
    const name = proto.constructor?.name ?? 'Object';
    if (typeof proto.constructor === 'function') classesSeen.set(name, proto.constructor);
    return { $t: 'c', id, n: name, v: props };
  };
  return walk(value);
}

function decodeNumber(tag) {
  switch (tag.v) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    default:
      return -0;
  }
}

/**
 * Decodes tagged JSON into fresh values. `classes(name)` returns the class to re-create an
 * instance with (looked up in the module's exports and what it imports), else, unless
 * `onlyGiven`, a class an instance of which was recorded in this process; unknown classes become
 * plain objects. `onlyGiven` decodes as another process that did not record would.
 */
export function decode(tree, classes = () => undefined, onlyGiven = false) {
  const byId = new Map();
  const walk = (t) => {
    if (t === null || typeof t !== 'object') return t;
    switch (t.$t) {
      case 'n':
        return decodeNumber(t);
      case 'u':
        return undefined;
      case 'b':
        return BigInt(t.v);
      case 'sym':
        return Symbol(t.v);
      case 'f':
        return function unreplayable() {
          throw new Error(`function ${t.n} was not recorded`);
        };
      case 'fg': {
        const out = builtinAt(t.p);
        byId.set(t.id, out);
        return out;
      }
      case 'fs': {
        const variables = t.v ?? [];
        if (CLASS_SOURCE.test(t.s)) {
          // A class the other side knows by name is that class (the module's, or the candidate's).
          const known = classes(t.n);
          if (typeof known === 'function') {
            byId.set(t.id, known);
            return known;
          }
          // Its variables first: `extends Base` needs Base; inside, the class names itself.
          const values = variables.map(([, x]) => walk(x));
          const { fn, setVariables } = rebuildFunction(t.s, t.n, variables, values);
          setVariables(values);
          byId.set(t.id, fn);
          return fn;
        }
        const { fn, setVariables } = rebuildFunction(t.s, t.n, variables);
        byId.set(t.id, fn);
        setVariables(variables.map(([, x]) => walk(x)));
        return fn;
      }
      case 'fb': {
        const out = walk(t.f).bind(walk(t.t), ...t.a.map(walk));
        byId.set(t.id, out);
        return out;
      }
      case 'ref':
        return byId.get(t.i);
      case 'a': {
        const out = new Array(t.v.length);
        byId.set(t.id, out);
        for (let i = 0; i < t.v.length; i++) out[i] = walk(t.v[i]);
        return out;
      }
      case 'm': {
        const out = new Map();
        byId.set(t.id, out);
        for (const [k, v] of t.v) out.set(walk(k), walk(v));
        return out;
      }
      case 's': {
        const out = new Set();
        byId.set(t.id, out);
        for (const v of t.v) out.add(walk(v));
        return out;
      }
      case 'd': {
        const out = new Date(walk(t.v));
        byId.set(t.id, out);
        return out;
      }
      case 'r': {
        const out = new RegExp(t.s, t.f);
        out.lastIndex = t.li ?? 0;
        byId.set(t.id, out);
        return out;
      }
      case 'ta': {
        const Ctor = TYPED_ARRAYS[t.n] ?? Uint8Array;
        const out = new Ctor(base64ToArrayBuffer(t.v));
        byId.set(t.id, out);
        return out;
      }
      case 'dv': {
        const out = new DataView(base64ToArrayBuffer(t.v));
        byId.set(t.id, out);
        return out;
      }
      case 'ab': {
        const out = base64ToArrayBuffer(t.v);
        byId.set(t.id, out);
        return out;
      }
      case 'e': {
        const Ctor = globalThis[t.n] && globalThis[t.n].prototype instanceof Error ? globalThis[t.n] : Error;
        const out = new Ctor(t.m);
        byId.set(t.id, out);
        return out;
      }
      case 'opaque': {
        const out = {};
        byId.set(t.id, out);
        return out;
      }
      case 'o':
      case 'c': {
        const Cls = t.$t === 'c' ? (classes(t.n) ?? (onlyGiven ? undefined : classesSeen.get(t.n))) : undefined;
        const out = t.$t === 'o' ? {} : Object.create(typeof Cls === 'function' ? Cls.prototype : Object.prototype);
        byId.set(t.id, out);
        for (const [k, v] of t.v) out[k] = walk(v);
        return out;
      }
      default:
        throw new Error(`unknown tag ${String(t.$t)} in recording`);
    }
  };
  return walk(tree);
}

const REL_TOL = 1e-9;
const ABS_TOL = 1e-9;

function numberOf(t) {
  if (typeof t === 'number') return t;
  if (t !== null && typeof t === 'object' && t.$t === 'n') return decodeNumber(t);
  return undefined;
}

function closeEnough(a, b) {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= Math.max(REL_TOL * Math.max(Math.abs(a), Math.abs(b)), ABS_TOL);
}

function canonical(t) {
  return JSON.stringify(t, (k, v) => (k === 'id' ? undefined : v));
}

/**
 * Compares two tagged trees: floats within tolerance (rel 1e-9, abs 1e-9), object keys in any
 * order, Set and Map contents in any order; class instances by class name and own properties.
 * Returns undefined when equal, else a path describing the first difference.
 */
export function difference(expected, actual, path = '') {
  const ne = numberOf(expected);
  const na = numberOf(actual);
  if (ne !== undefined || na !== undefined) {
    return ne !== undefined && na !== undefined && closeEnough(ne, na) ? undefined : path || '(value)';
  }
  if (expected === null || actual === null || typeof expected !== 'object' || typeof actual !== 'object') {
    return expected === actual ? undefined : path || '(value)';
  }
  // Two kinds that may preview alike (a plain object and an instance whose prototype has no
  // constructor both show as {}): the kinds are named.
  if (expected.$t !== actual.$t) {
    const kinds = `(${kindOf(expected)}, got ${kindOf(actual)})`;
    return path ? `${path} ${kinds}` : kinds;
  }
  switch (expected.$t) {
    case 'a': {
      if (expected.v.length !== actual.v.length) return `${path}.length`;
      for (let i = 0; i < expected.v.length; i++) {
        const d = difference(expected.v[i], actual.v[i], `${path}[${i}]`);
        if (d !== undefined) return d;
      }
      return undefined;
    }
    case 'o':
    case 'c': {
      if (expected.$t === 'c' && expected.n !== actual.n) return `${path} (class)`;
      const a = new Map(actual.v);
      if (a.size !== expected.v.length) return `${path} (keys)`;
      for (const [k, v] of expected.v) {
        if (!a.has(k)) return `${path}.${k}`;
        const d = difference(v, a.get(k), `${path}.${k}`);
        if (d !== undefined) return d;
      }
      return undefined;
    }
    case 's': {
      if (expected.v.length !== actual.v.length) return `${path}.size`;
      const have = new Set(actual.v.map(canonical));
      return expected.v.every((x) => have.has(canonical(x))) ? undefined : path || '(set)';
    }
    case 'm': {
      if (expected.v.length !== actual.v.length) return `${path}.size`;
      const byKey = new Map(actual.v.map(([k, v]) => [canonical(k), v]));
      for (const [k, v] of expected.v) {
        const key = canonical(k);
        if (!byKey.has(key)) return `${path}.get(${key})`;
        const d = difference(v, byKey.get(key), `${path}.get(${key})`);
        if (d !== undefined) return d;
      }
      return undefined;
    }
    case 'd':
      return difference(expected.v, actual.v, path);
    case 'ta':
      if (expected.n !== actual.n) return `${path} (type)`;
      if (expected.n.startsWith('Float')) {
        const e = decode(expected);
        const a = decode(actual);
        if (e.length !== a.length) return `${path}.length`;
        for (let i = 0; i < e.length; i++) if (!closeEnough(e[i], a[i])) return `${path}[${i}]`;
        return undefined;
      }
      return expected.v === actual.v ? undefined : path || '(value)';
    case 'e':
      return expected.n === actual.n ? undefined : path || '(error)';
    case 'f':
    case 'opaque':
      return undefined;
    case 'ref':
      return undefined;
    default:
      return canonical(expected) === canonical(actual) ? undefined : path || '(value)';
  }
}

const KINDS = {
  a: 'an array',
  o: 'a plain object',
  m: 'a Map',
  s: 'a Set',
  d: 'a Date',
  r: 'a RegExp',
  e: 'an error',
  ta: 'a typed array',
  ab: 'an ArrayBuffer',
  dv: 'a DataView',
  u: 'undefined',
  b: 'a BigInt',
  n: 'a number',
  sym: 'a Symbol',
  ref: 'a reference to a value seen before',
};

/** What kind of value a tagged tree holds, in words. */
function kindOf(tree) {
  if (tree.$t === 'c') return `an instance of ${tree.n}`;
  if (tree.$t === 'opaque') return `a ${tree.n}`;
  if (typeof tree.$t === 'string' && tree.$t.startsWith('f')) return 'a function';
  return KINDS[tree.$t] ?? `a value tagged ${tree.$t}`;
}

/** A short human-readable rendering of a tagged tree, for failure messages. */
export function preview(tree, max = 200) {
  let text;
  try {
    const value = decode(tree);
    text = inspect(value, { depth: 4, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 100 });
  } catch {
    text = canonical(tree);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
