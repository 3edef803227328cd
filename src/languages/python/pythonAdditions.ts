/**
 * The top-level statements of a model's Python code block worth carrying into the module beside
 * the candidate: imports, helper definitions (with their decorators) and constants.
 */
import type { Addition } from '../../core/extractCode';
import { topLevelStatements } from '../common/topLevelStatements';

export function pythonAdditions(text: string): Addition[] {
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
