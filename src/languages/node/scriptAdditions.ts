/**
 * The top-level statements of a model's JavaScript/TypeScript code block worth carrying into the
 * module beside the candidate: imports, helper functions and classes, constants, and (TypeScript
 * only) type declarations.
 */
import type { Addition } from '../../core/extractCode';
import { topLevelStatements } from '../common/topLevelStatements';
import { scanScript } from './scriptScanner';

export function scriptAdditions(text: string, typeDeclarations: boolean): Addition[] {
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
      const fn = scanScript(body).functions.find((f) => f.qualifiedName === decl[1]);
      additions.push({ kind: fn ? 'definition' : 'assignment', name: decl[1] as string, code: body });
      continue;
    }
    const typeDecl = /^(?:export\s+)?(?:type|interface|enum)\s+([\w$]+)/.exec(body);
    if (typeDecl && typeDeclarations) additions.push({ kind: 'definition', name: typeDecl[1] as string, code: body });
  }
  return additions;
}
