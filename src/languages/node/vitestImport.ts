/** Whether a test's source imports vitest (`from 'vitest'`, `import('vitest')`, `import 'vitest'`). */
const IMPORTS_VITEST = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']vitest["']/;

export function importsVitest(source: string): boolean {
  return IMPORTS_VITEST.test(source);
}
