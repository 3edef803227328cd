import { describe, expect, it } from 'vitest';
import { pytestTestpaths } from '../../src/languages/projectTests';

describe('pytest testpaths', () => {
  it('reads a TOML array from pyproject.toml, over several lines too', () => {
    const text =
      '[project]\nname = "x"\n\n[tool.pytest.ini_options]\nminversion = "6.0"\ntestpaths = [\n  "toolz",\n  \'tests/unit\',\n]\n';
    expect(pytestTestpaths('pyproject.toml', text)).toEqual(['toolz', 'tests/unit']);
  });

  it('reads whitespace-separated and continued values from ini files', () => {
    expect(pytestTestpaths('pytest.ini', '[pytest]\ntestpaths = tests\n    integration\naddopts = -q\n')).toEqual([
      'tests',
      'integration',
    ]);
    expect(pytestTestpaths('setup.cfg', '[metadata]\nname = x\n[tool:pytest]\ntestpaths = src/tests\n')).toEqual([
      'src/tests',
    ]);
  });

  it('is undefined when the section or the option is missing', () => {
    expect(pytestTestpaths('tox.ini', '[tox]\nenvlist = py311\n[testenv]\ncommands = pytest\n')).toBeUndefined();
    expect(
      pytestTestpaths('pyproject.toml', '[tool.pytest.ini_options]\naddopts = "-q"\n[tool.ruff]\ntestpaths = ["x"]\n'),
    ).toBeUndefined();
  });
});
