// Module loader hooks (module.register). They run on the loader thread and only rewrite what
// modules are served; the recording itself happens on the main thread.
// - `node:test` (and test-runner packages the harness stands in for) → the harness's shim;
// - the target module's URL → a small wrapper module that re-exports everything from the
//   original (imported with the `?afterburner-original` query, so it is evaluated once) and
//   exports the recorder wrapper under the target's name (an explicit export shadows `export *`).

let config = { redirects: {}, wrapTarget: undefined };

export function initialize(data) {
  config = data;
}

export async function resolve(specifier, context, nextResolve) {
  const redirect = config.redirects[specifier];
  if (redirect && context.parentURL !== redirect) return { url: redirect, shortCircuit: true };
  return nextResolve(specifier, context);
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

export async function load(url, context, nextLoad) {
  const target = config.wrapTarget;
  if (target && url === target.url) {
    return { format: 'module', source: wrapperSource(target), shortCircuit: true };
  }
  return nextLoad(url, context);
}
