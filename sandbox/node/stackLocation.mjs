// Where in the work dir a stack trace points: the first frame in a file under the cwd (outside
// node_modules), as "relative/path:line". With source maps enabled the frame is already the
// TypeScript file's line.
import path from 'node:path';

export function locationInStack(stack, cwd = process.cwd()) {
  for (const m of String(stack ?? '').matchAll(/(file:\/\/[^\s):]+|\/[^\s():]+):(\d+)(?::(\d+))?/g)) {
    let file = m[1];
    if (file.startsWith('file://')) file = decodeURIComponent(new URL(file).pathname);
    if (!file.startsWith(cwd + path.sep)) continue;
    const rel = path.relative(cwd, file);
    if (rel.split(path.sep).includes('node_modules')) continue;
    return `${rel}:${m[2]}`;
  }
  return undefined;
}
