/**
 * Where Python tests live by convention: test_<module>.py, <module>_test.py, and files under tests/
 * or test/ (pytest's and unittest's discovery rules).
 */
import type { TestConventions } from '../languageModule';

export const pythonTests: TestConventions = {
  glob: '{**/test_*.py,**/*_test.py,**/tests/**/*.py,**/test/**/*.py}',
  judge(path, module) {
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (!base.endsWith('.py') || base === '__init__.py' || base === 'conftest.py') return undefined;
    if (base === `test_${module}.py` || base === `${module}_test.py` || base === `tests_${module}.py`) {
      return { strong: true, reason: `named after ${module}.py` };
    }
    if (/^test_.*\.py$/.test(base) || /_test\.py$/.test(base)) return { strong: false, reason: 'a test module' };
    if (/(^|\/)tests?\//.test(path)) return { strong: false, reason: 'in a tests folder' };
    return undefined;
  },
  conventionalNames: (stem) => [`test_${stem}.py`, `${stem}_test.py`, `tests/test_${stem}.py`, `test/test_${stem}.py`],
  description: 'test_<module>.py, <module>_test.py and files under tests/',
  dialogFilters: { 'Python tests': ['py'] },
};
