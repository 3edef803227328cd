/**
 * Where JavaScript and TypeScript tests live by convention (jest, vitest, mocha, node:test):
 * <module>.test.*, <module>.spec.*, and files under __tests__/.
 */
import type { TestConventions } from '../languageModule';

const EXTENSIONS = ['js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx'];
const DOTTED = EXTENSIONS.map((e) => `.${e}`);

export const scriptTests: TestConventions = {
  // One flat group: the search behind findFiles (ripgrep) refuses nested {…} alternatives.
  glob: `{${EXTENSIONS.flatMap((ext) => [`**/*.test.${ext}`, `**/*.spec.${ext}`, `**/__tests__/**/*.${ext}`]).join(',')}}`,
  judge(path, module) {
    const base = path.slice(path.lastIndexOf('/') + 1);
    const match = /^(.*)\.(test|spec)\.([a-z]+)$/.exec(base);
    if (match && EXTENSIONS.includes(match[3] ?? '')) {
      return match[1] === module
        ? { strong: true, reason: `named after ${module}` }
        : { strong: false, reason: `a .${match[2]} file` };
    }
    if (/(^|\/)__tests__\//.test(path)) {
      const stem = base.replace(/\.[a-z]+$/, '');
      return stem === module
        ? { strong: true, reason: `__tests__/${base}` }
        : { strong: false, reason: 'in __tests__' };
    }
    return undefined;
  },
  conventionalNames: (stem) => [
    ...DOTTED.map((e) => `${stem}.test${e}`),
    ...DOTTED.map((e) => `${stem}.spec${e}`),
    ...DOTTED.map((e) => `__tests__/${stem}${e}`),
    ...DOTTED.map((e) => `__tests__/${stem}.test${e}`),
  ],
  description: '*.test.*, *.spec.* and files under __tests__/',
  dialogFilters: { 'JavaScript/TypeScript tests': EXTENSIONS },
};
