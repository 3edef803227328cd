/**
 * Turns a model reply into a candidate: the last fenced code block, the target function in it,
 * and the top-level imports and helpers that came with it. Prose is never run: a reply without a
 * complete code block, or without the target function, is rejected with a reason.
 */
import type { LanguageSupport } from './languageSupport';
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

export function extractCandidate(language: LanguageSupport, reply: string, target: string): Extraction {
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
  language: LanguageSupport,
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
  if (!location) return dot < 0 ? undefined : methodAlone(language, block, methodName);
  const cls =
    location.className !== undefined
      ? listClasses(language, block).find(
          (c) => c.start <= location.start && c.end >= location.end && !c.qualifiedName.includes('.'),
        )
      : undefined;
  return { location, excluded: cls ?? location };
}

/**
 * The method `name` written alone, the whole block its body (`add(item) {…}`, the form the prompt
 * shows a method in), read inside the class text the language puts around such a method.
 */
function methodAlone(
  language: LanguageSupport,
  block: string,
  name: string,
): { location: FunctionLocation; excluded: { start: number; end: number } } | undefined {
  const around = language.syntax.methodAlone;
  if (!around) return undefined;
  const shift = around.before.length;
  const found = listFunctions(language, around.before + block + around.after).find(
    (f) => f.kind === 'method' && f.name === name && f.qualifiedName.split('.').length === 2,
  );
  if (!found || found.start < shift || found.end > shift + block.length) return undefined;
  const lines = around.before.split('\n').length - 1;
  const location = {
    ...found,
    start: found.start - shift,
    end: found.end - shift,
    startLine: found.startLine - lines,
    endLine: found.endLine - lines,
  };
  // Nothing else in the block is top-level code: it all sat inside the class.
  return { location, excluded: { start: 0, end: block.length } };
}

/** Top-level statements of the block worth carrying into the module. */
function topLevelAdditions(
  language: LanguageSupport,
  block: string,
  excluded: { start: number; end: number },
): Addition[] {
  const text = block.slice(0, excluded.start).replace(/[ \t]+$/, '') + '\n' + block.slice(excluded.end);
  return language.topLevelAdditions(dedent(text));
}
