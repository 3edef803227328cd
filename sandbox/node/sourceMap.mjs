// Maps lines of an emitted JavaScript file back to its source (TypeScript transpiled on the host
// carries an inline source map). Node's own source-map support maps stack traces, but the CPU
// profile's positionTicks are lines of the code V8 ran, so hot lines are mapped here. Only what
// that needs: the first mapped segment of a generated line gives its original line.
import fs from 'node:fs';
import path from 'node:path';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** One segment's base64 VLQ fields (relative values, as written in `mappings`). */
export function decodeVlq(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const c of segment) {
    const digit = DIGIT.get(c);
    if (digit === undefined) throw new Error(`bad VLQ character ${JSON.stringify(c)}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

/**
 * For each generated line (index 0 = line 1): the original position of its first segment that
 * has one, as `{ source, line }` (source index, 1-based line), or undefined.
 */
export function firstOriginalLines(mappings) {
  const lines = [];
  let source = 0;
  let line = 0;
  for (const text of mappings.split(';')) {
    let first;
    for (const segment of text.split(',')) {
      if (!segment) continue;
      const f = decodeVlq(segment);
      if (f.length < 4) continue;
      // Source index and original line are relative to the previous segment, across lines.
      source += f[1];
      line += f[2];
      first ??= { source, line: line + 1 };
    }
    lines.push(first);
  }
  return lines;
}

const MAP_COMMENT = /\/\/[#@] sourceMappingURL=(\S+)\s*$/;

/**
 * The source map that JavaScript `code` names in its last line: an inline data: URL, or a file
 * beside `file`. Undefined when there is none or it cannot be read.
 */
export function readSourceMap(code, file) {
  const m = MAP_COMMENT.exec(code);
  if (!m) return undefined;
  const url = m[1];
  try {
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      const payload = url.slice(comma + 1);
      const json = url.slice(0, comma).endsWith(';base64')
        ? Buffer.from(payload, 'base64').toString('utf8')
        : decodeURIComponent(payload);
      return JSON.parse(json);
    }
    if (file === undefined) return undefined;
    return JSON.parse(fs.readFileSync(path.resolve(path.dirname(file), decodeURIComponent(url)), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Maps generated lines to lines of the map's single original source, with their text; undefined
 * for a map of several sources (a hot line has no file of its own to name).
 */
export function lineMapper(map, file) {
  if (!map || typeof map.mappings !== 'string' || !Array.isArray(map.sources) || map.sources.length !== 1)
    return undefined;
  let content = map.sourcesContent?.[0];
  if (typeof content !== 'string') {
    try {
      content = fs.readFileSync(path.resolve(path.dirname(file ?? '.'), map.sourceRoot ?? '', map.sources[0]), 'utf8');
    } catch {
      content = '';
    }
  }
  const originalLines = content.split('\n');
  const firsts = firstOriginalLines(map.mappings);
  return {
    source: map.sources[0],
    /** The original line (1-based) and its text for generated line `line` (1-based), if mapped. */
    original(line) {
      const hit = firsts[line - 1];
      if (!hit || hit.source !== 0) return undefined;
      return { line: hit.line, text: originalLines[hit.line - 1] ?? '' };
    },
  };
}

/** The line mapper of a JavaScript file, or undefined when it has no usable source map. */
export function createLineMapper(file) {
  const code = fs.readFileSync(file, 'utf8');
  return lineMapper(readSourceMap(code, file), file);
}
