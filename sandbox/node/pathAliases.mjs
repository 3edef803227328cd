// tsconfig.json `compilerOptions.paths` of the project (the working directory): ts-jest's
// moduleNameMapper, vite and bundlers resolve these aliases, so the harness resolves them too
// when it loads the module itself (loaderHooks.mjs for imports, harness.mjs for require).
import fs from 'node:fs';
import path from 'node:path';

let aliases;

/** [prefix, suffix, has a wildcard, target paths] per `paths` entry, or [] without any. */
function tsconfigPaths() {
  if (aliases) return aliases;
  aliases = [];
  let options;
  try {
    const text = fs.readFileSync(path.join(process.cwd(), 'tsconfig.json'), 'utf8');
    // JSON with comments and trailing commas, as tsc reads it.
    const json = text
      .replace(/\/\*[\s\S]*?\*\/|("(?:\\.|[^"\\])*")|\/\/[^\n]*/g, (m, str) => str ?? '')
      .replace(/,(\s*[}\]])/g, '$1');
    options = JSON.parse(json).compilerOptions ?? {};
  } catch {
    return aliases;
  }
  const base = path.resolve(process.cwd(), options.baseUrl ?? '.');
  for (const [pattern, targets] of Object.entries(options.paths ?? {})) {
    const [prefix, suffix = ''] = pattern.split('*');
    aliases.push([prefix, suffix, pattern.includes('*'), (targets ?? []).map((t) => path.resolve(base, t))]);
  }
  return aliases;
}

/** The paths (without extension completion) a bare specifier stands for, first match first. */
export function aliasedPath(specifier) {
  const out = [];
  for (const [prefix, suffix, wildcard, targets] of tsconfigPaths()) {
    const matches = wildcard
      ? specifier.startsWith(prefix) && specifier.endsWith(suffix) && specifier.length >= prefix.length + suffix.length
      : specifier === prefix;
    if (!matches) continue;
    const star = wildcard ? specifier.slice(prefix.length, specifier.length - suffix.length) : '';
    for (const target of targets) out.push(target.replace('*', star));
  }
  return out;
}
