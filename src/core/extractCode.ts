/**
 * Turns a model reply into a candidate: the last fenced code block, the target function in it,
 * and the top-level imports and helpers that came with it. Prose is never run: a reply without a
 * complete code block, or without the target function, is rejected with a reason.
 */
import type { Language } from './sandboxTypes';
import { listClasses, listFunctions, locateFunction, type FunctionLocation } from './functionLocator';
import { dedent } from './spliceFunction';

export interface ExtractedCandidate {
  /** The target function (or method), dedented. */
  readonly code: string;
  /** Top-level imports, constants and helper definitions from the block, in block order. */
  readonly additions: readonly Addition[];
}

export interface Addition {
  readonly kind: 'import' | 'definition' | 'assignment';
  /** The name it defines (definitions and assignments). */
  readonly name?: string;
  readonly code: string;
}

export type Extraction =
  | { readonly kind: 'ok'; readonly candidate: ExtractedCandidate }
  | { readonly kind: 'no_code'; readonly reason: string };

interface FencedBlock {
  readonly body: string;
  readonly closed: boolean;
}

/** All fenced blocks (``` or longer, optionally tagged), in order; an unclosed last one is marked. */
export function fencedBlocks(reply: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const lines = reply.replace(/\r\n/g, '\n').split('\n');
  let open: { fence: string; body: string[] } | undefined;
  for (const line of lines) {
    const fence = /^\s*(`{3,}|~{3,})/.exec(line);
    if (!open) {
      if (fence) open = { fence: fence[1] as string, body: [] };
      continue;
    }
    const closing = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
    if (closing && (closing[1] as string)[0] === open.fence[0] && (closing[1] as string).length >= open.fence.length) {
      blocks.push({ body: open.body.join('\n'), closed: true });
      open = undefined;
    } else {
      open.body.push(line);
    }
  }
  if (open) blocks.push({ body: open.body.join('\n'), closed: false });
  return blocks;
}

export function extractCandidate(language: Language, reply: string, target: string): Extraction {
  const blocks = fencedBlocks(reply);
  const last = blocks[blocks.length - 1];
  if (!last) return { kind: 'no_code', reason: 'rejected: no code in the reply' };
  if (!last.closed) return { kind: 'no_code', reason: 'rejected: the reply was cut off inside its code block' };
  const block = last.body;
  const found = findTarget(language, block, target);
  if (!found) {
    return { kind: 'no_code', reason: `rejected: the reply's code has no function named ${target}` };
  }
  const code = dedent(found.location.indent + block.slice(found.location.start, found.location.end));
  return { kind: 'ok', candidate: { code, additions: topLevelAdditions(language, block, found.excluded) } };
}

/**
 * The target in the block: exactly `target`, else for `Class.method` the method inside any class
 * or a bare top-level function of that name (models often reply with the method alone).
 * `excluded` is the range not to harvest helpers from (the function, or its whole class).
 */
function findTarget(
  language: Language,
  block: string,
  target: string,
): { location: FunctionLocation; excluded: { start: number; end: number } } | undefined {
  const exact = locateFunction(language, block, target);
  const functions = listFunctions(language, block);
  const dot = target.lastIndexOf('.');
  const methodName = dot < 0 ? target : target.slice(dot + 1);
  const location =
    exact ??
    (dot < 0
      ? undefined
      : (functions.find((f) => f.kind === 'method' && f.name === methodName) ??
        functions.find((f) => f.qualifiedName === methodName)));
  if (!location) return undefined;
  const cls =
    location.className !== undefined
      ? listClasses(language, block).find(
          (c) => c.start <= location.start && c.end >= location.end && !c.qualifiedName.includes('.'),
        )
      : undefined;
  return { location, excluded: cls ?? location };
}

/** Top-level statements of the block worth carrying into the module. */
function topLevelAdditions(language: Language, block: string, excluded: { start: number; end: number }): Addition[] {
  const text = block.slice(0, excluded.start).replace(/[ \t]+$/, '') + '\n' + block.slice(excluded.end);
  return language === 'python' ? pythonAdditions(dedent(text)) : scriptAdditions(language, dedent(text));
}

/** Splits text into top-level statements: a statement starts at a line with no indentation. */
function topLevelStatements(text: string, continues: (line: string) => boolean): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  const flush = (): void => {
    const s = current.join('\n').replace(/\s+$/, '');
    if (s.trim() !== '') statements.push(s);
    current = [];
  };
  for (const line of text.split('\n')) {
    const startsStatement = line !== '' && !/^\s/.test(line) && !continues(line);
    if (startsStatement) flush();
    current.push(line);
  }
  flush();
  return statements;
}

function pythonAdditions(text: string): Addition[] {
  // Decorators stay with the definition below them; a closing bracket continues a statement.
  const statements = topLevelStatements(text, (line) => /^[)\]}]/.test(line) || /^#/.test(line));
  const merged: string[] = [];
  for (const s of statements) {
    const prev = merged[merged.length - 1];
    if (
      prev !== undefined &&
      /^@/.test(
        prev
          .split('\n')
          .filter((l) => l.trim() !== '' && !/^\s*#/.test(l))
          .pop() ?? '',
      )
    ) {
      merged[merged.length - 1] = `${prev}\n${s}`;
    } else merged.push(s);
  }
  const additions: Addition[] = [];
  for (const s of merged) {
    const body = s.replace(/^(?:#.*\n)+/, '');
    if (/^(?:import|from)\s/.test(body)) additions.push({ kind: 'import', code: body });
    else {
      const def = /^(?:@[\s\S]*?\n)?(?:async\s+)?(?:def|class)\s+(\w+)/.exec(body);
      const assign = /^([A-Za-z_]\w*)\s*(?::[^=\n]*)?=(?!=)/.exec(body);
      if (def) additions.push({ kind: 'definition', name: def[1] as string, code: s });
      else if (assign) additions.push({ kind: 'assignment', name: assign[1] as string, code: body });
      // Anything else (example calls, prints, `if __name__ == ...`) is left out on purpose.
    }
  }
  return additions;
}

function scriptAdditions(language: Language, text: string): Addition[] {
  const statements = topLevelStatements(text, (line) => /^[)\]}]/.test(line) || /^(\/\/|\/\*|\*)/.test(line));
  const additions: Addition[] = [];
  for (const s of statements) {
    const body = s.replace(/^(?:\/\/.*\n)+/, '');
    if (/^import[\s{*'"]/.test(body) || /^(?:const|let|var)\s+\w+\s*=\s*require\(/.test(body)) {
      additions.push({ kind: 'import', code: body });
      continue;
    }
    const def = /^(?:export\s+)?(?:async\s+)?(?:function\s*\*?\s*|class\s+)([\w$]+)/.exec(body);
    if (def) {
      additions.push({ kind: 'definition', name: def[1] as string, code: body });
      continue;
    }
    const decl = /^(?:export\s+)?(?:const|let|var)\s+([\w$]+)/.exec(body);
    if (decl) {
      const fn = listFunctions(language, body).find((f) => f.qualifiedName === decl[1]);
      additions.push({ kind: fn ? 'definition' : 'assignment', name: decl[1] as string, code: body });
      continue;
    }
    const typeDecl = /^(?:export\s+)?(?:type|interface|enum)\s+([\w$]+)/.exec(body);
    if (typeDecl && language === 'typescript')
      additions.push({ kind: 'definition', name: typeDecl[1] as string, code: body });
  }
  return additions;
}
