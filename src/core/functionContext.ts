/**
 * What the model needs to see besides the function itself: the module's imports, the module-level
 * helpers and constants the function refers to, and the header of its class.
 */
import type { LanguageSupport } from './languageSupport';
import { listClasses, listFunctions, locateFunction } from './functionLocator';
import { dedent } from './spliceFunction';

export interface FunctionContext {
  readonly functionCode: string;
  readonly imports: readonly string[];
  /** Top-level definitions and constants the function names (one level deep). */
  readonly helpers: readonly string[];
  /** `class Shape(Base):` / `export class Cache<K> extends Base {` for methods. */
  readonly classHeader?: string;
}

/** A helper longer than this is shown by its first lines only. */
const MAX_HELPER_CHARS = 4000;

export function gatherContext(
  language: LanguageSupport,
  moduleText: string,
  target: string,
): FunctionContext | undefined {
  const location = locateFunction(language, moduleText, target);
  if (!location) return undefined;
  const functionCode = dedent(location.indent + moduleText.slice(location.start, location.end));
  const lines = moduleText.split('\n');
  const imports = lines.filter((line) => language.syntax.isImportLine(line));
  const identifiers = new Set(functionCode.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const helpers: string[] = [];
  const topLevelDefs = [...listFunctions(language, moduleText), ...listClasses(language, moduleText)]
    .filter(
      (d) => !d.qualifiedName.includes('.') && d.qualifiedName !== target && d.qualifiedName !== location.className,
    )
    .sort((a, b) => a.start - b.start);
  for (const def of topLevelDefs) {
    if (identifiers.has(def.name)) helpers.push(clip(moduleText.slice(def.start, def.end)));
  }
  for (const line of lines) {
    const assign = language.syntax.topLevelAssignment.exec(line);
    if (
      assign &&
      identifiers.has(assign[1] as string) &&
      !topLevelDefs.some((d) => d.name === assign[1]) &&
      !/require\(/.test(line)
    )
      helpers.push(clip(line));
  }
  const cls =
    location.className !== undefined
      ? listClasses(language, moduleText).find(
          (c) => c.start <= location.start && c.end >= location.end && c.name === location.className,
        )
      : undefined;
  const classHeader = cls ? moduleText.slice(cls.start, cls.headerEnd) : undefined;
  return classHeader === undefined
    ? { functionCode, imports, helpers }
    : { functionCode, imports, helpers, classHeader };
}

function clip(code: string): string {
  return code.length <= MAX_HELPER_CHARS
    ? code
    : `${code.slice(0, MAX_HELPER_CHARS)}\n… (${code.length - MAX_HELPER_CHARS} more characters)`;
}
