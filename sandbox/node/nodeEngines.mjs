// Whether this Node satisfies a package's `engines.node` range (npm's semver ranges as packages
// write them: `||` alternatives of `^`, `~`, `>=`, `>`, `<=`, `<`, `=`, x-ranges and hyphen-free
// bare versions), so that a runner that cannot start here is named with the Node it needs.
import fs from 'node:fs';
import path from 'node:path';

function parts(version) {
  const [major = 0, minor = 0, patch = 0] = version
    .replace(/^v/, '')
    .split('.')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : 0));
  return [major, minor, patch];
}

function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function satisfiesComparator(version, comparator) {
  const m = /^(\^|~|>=|<=|>|<|=)?v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?/.exec(comparator);
  if (!m) return true; // not understood: not a reason to complain
  const op = m[1] ?? '';
  const wild = (p) => p === undefined || /[xX*]/.test(p);
  if (wild(m[2])) return true;
  const base = [Number(m[2]) || 0, wild(m[3]) ? 0 : Number(m[3]), wild(m[4]) ? 0 : Number(m[4])];
  const c = compare(version, base);
  if (op === '>=') return c >= 0;
  if (op === '>') return c > 0;
  if (op === '<=') return c <= 0;
  if (op === '<') return c < 0;
  if (op === '^') return c >= 0 && version[0] === base[0];
  if (op === '~' || wild(m[3]) || wild(m[4])) {
    if (c < 0 || version[0] !== base[0]) return false;
    return wild(m[3]) || version[1] === base[1];
  }
  return c === 0;
}

export function nodeSatisfies(range, version = process.version) {
  const v = parts(version);
  const spaced = range.replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1');
  return spaced.split('||').some((alternative) =>
    alternative
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .every((comparator) => satisfiesComparator(v, comparator)),
  );
}

/** The name, version and `engines.node` of the package a file of it belongs to. */
export function packageOf(file) {
  for (let dir = path.dirname(file); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (typeof json.name === 'string') return { name: json.name, version: json.version, node: json.engines?.node };
    } catch {
      // no package.json here
    }
  }
  return undefined;
}

/** "vitest 3.2.4 needs Node ^20.0.0 || …" when this Node does not satisfy it, else undefined. */
export function nodeMismatch(file) {
  const pkg = packageOf(file);
  if (!pkg || typeof pkg.node !== 'string' || nodeSatisfies(pkg.node)) return undefined;
  return `${pkg.name} ${pkg.version ?? ''} needs Node ${pkg.node}, and this sandbox runs node ${process.version}`;
}
