import { Session } from 'node:inspector';

// What a function holds beyond its source: the variables around it (a key function that calls an
// imported `strip`, a comparator made by a factory over `k`) and, for a bound function, its
// target, `this` and arguments. JavaScript gives no way to read these from outside; the
// inspector does (the [[Scopes]] and [[BoundThis]] that DevTools shows), in-process and
// synchronously on this thread.

let session;
/** Where the inspector hands a value back to JavaScript; one key, overwritten each time. */
const HANDOFF = Symbol.for('afterburner.closureScopes.handoff');
/** That place, as inspector-evaluated code reads or writes it. */
const HANDOFF_CODE = `globalThis[Symbol.for(${JSON.stringify(HANDOFF.description)})]`;
const GROUP = 'afterburner-closure-scopes';

/** The value last handed over, the place emptied. */
function takeHandoff() {
  const value = globalThis[HANDOFF];
  delete globalThis[HANDOFF];
  return value;
}

function post(method, params) {
  if (!session) {
    session = new Session();
    session.connect();
  }
  let error;
  let result;
  // A session on this thread answers before post returns.
  session.post(method, params, (e, r) => {
    error = e;
    result = r;
  });
  if (error) throw error;
  if (result === undefined) throw new Error(`the inspector did not answer ${method} at once`);
  return result;
}

function remoteOf(value) {
  globalThis[HANDOFF] = value;
  try {
    return post('Runtime.evaluate', { expression: HANDOFF_CODE, objectGroup: GROUP }).result;
  } finally {
    takeHandoff();
  }
}

/** The JavaScript value a RemoteObject stands for, passed back through a call on `anchor`. */
function valueOf(remote, anchor) {
  const argument =
    remote.objectId !== undefined
      ? { objectId: remote.objectId }
      : remote.unserializableValue !== undefined
        ? { unserializableValue: remote.unserializableValue }
        : remote.type === 'undefined'
          ? {}
          : { value: remote.value };
  post('Runtime.callFunctionOn', {
    objectId: anchor,
    functionDeclaration: `function (v) { ${HANDOFF_CODE} = v; }`,
    arguments: [argument],
  });
  return takeHandoff();
}

const IDENTIFIER = /[A-Za-z_$][\w$]*/g;
/** Names that cannot be bound again in strict code, or that every function has of its own. */
const UNBINDABLE = new Set(['arguments', 'eval', 'this', 'new.target']);

/**
 * The variables `fn` reads from around it, innermost scope first, as [name, value] pairs: those
 * of its closures, module and script scopes whose names occur in its source. Globals are left
 * out (the replaying process has its own). Throws when the inspector cannot tell.
 */
export function capturedVariables(fn, source) {
  const mentioned = [...new Set(source.match(IDENTIFIER) ?? [])].filter((name) => !UNBINDABLE.has(name));
  try {
    const fnId = remoteOf(fn).objectId;
    const scopes = post('Runtime.getProperties', { objectId: fnId, ownProperties: true }).internalProperties ?? [];
    const list = scopes.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
    if (list === undefined) return [];
    const out = [];
    const taken = new Set();
    for (const scope of post('Runtime.getProperties', { objectId: list, ownProperties: true }).result) {
      if (!/^\d+$/.test(scope.name) || scope.value?.description === 'Global') continue;
      // An inner scope's variable hides an outer one of the same name.
      for (const [name, value] of scopeVariables(scope.value.objectId, mentioned, fnId))
        if (!taken.has(name)) {
          taken.add(name);
          out.push([name, value]);
        }
    }
    return out;
  } finally {
    post('Runtime.releaseObjectGroup', { objectGroup: GROUP });
  }
}

/**
 * The variables among `names` one scope holds. The scope's own object, read in one call, where
 * this V8 hands it over (`object` of the scope entry); else variable by variable.
 */
function scopeVariables(scopeId, names, fnId) {
  post('Runtime.callFunctionOn', {
    objectId: scopeId,
    functionDeclaration: `function (names) {
      const scope = this.object;
      ${HANDOFF_CODE} =
        scope === null || typeof scope !== 'object' ? undefined : names.filter((n) => n in scope).map((n) => [n, scope[n]]);
    }`,
    arguments: [{ value: names }],
  });
  const read = takeHandoff();
  if (read !== undefined) return read;
  const wanted = new Set(names);
  return post('Runtime.getProperties', { objectId: scopeId, ownProperties: true })
    .result.filter((v) => wanted.has(v.name) && v.value !== undefined)
    .map((v) => [v.name, valueOf(v.value, fnId)]);
}

/** A bound function's target, `this` and leading arguments; undefined for any other function. */
export function boundParts(fn) {
  try {
    const fnId = remoteOf(fn).objectId;
    const internal = post('Runtime.getProperties', { objectId: fnId, ownProperties: true }).internalProperties ?? [];
    const part = (name) => internal.find((p) => p.name === name)?.value;
    const target = part('[[TargetFunction]]');
    if (target === undefined) return undefined;
    const thisArg = part('[[BoundThis]]');
    const args = part('[[BoundArgs]]');
    return {
      target: valueOf(target, fnId),
      thisArg: thisArg === undefined ? undefined : valueOf(thisArg, fnId),
      args: args === undefined ? [] : [...valueOf(args, fnId)],
    };
  } finally {
    post('Runtime.releaseObjectGroup', { objectGroup: GROUP });
  }
}
