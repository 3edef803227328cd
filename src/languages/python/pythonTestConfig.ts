/**
 * pytest's own say on where tests are: `testpaths` and `python_files` from pytest.ini, pyproject.toml
 * (`[tool.pytest.ini_options]`), tox.ini (`[pytest]`) or setup.cfg (`[tool:pytest]`); the first file
 * that has a pytest section wins, as in pytest.
 */
import type { RunnerTestPatterns } from '../languageModule';

export const PYTHON_CONFIG_FILES = ['pytest.ini', 'pyproject.toml', 'tox.ini', 'setup.cfg'];
const SECTIONS: Readonly<Record<string, string>> = {
  'pytest.ini': 'pytest',
  'pyproject.toml': 'tool.pytest.ini_options',
  'tox.ini': 'pytest',
  'setup.cfg': 'tool:pytest',
};

export function pythonRunnerPatterns(configs: ReadonlyMap<string, string>): RunnerTestPatterns {
  for (const name of PYTHON_CONFIG_FILES) {
    const text = configs.get(name);
    const section = text === undefined ? undefined : sectionOf(text, SECTIONS[name] ?? '');
    if (section === undefined) continue;
    const roots = values(section, 'testpaths').map((p) => p.replace(/^\.\//, '').replace(/\/$/, ''));
    const globs = values(section, 'python_files');
    return { globs, regexes: [], roots, ...(roots.length > 0 ? { source: `${name}` } : {}) };
  }
  return { globs: [], regexes: [], roots: [] };
}

function sectionOf(text: string, name: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === `[${name}]`);
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && /^\s*\[/.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/**
 * The values of `key` in an ini section (`key = a b`, continued on indented lines) or a TOML table
 * (`key = ["a", "b"]`, possibly over several lines, or `key = "a"`).
 */
function values(section: string, key: string): string[] {
  const match = new RegExp(`^${key}\\s*=\\s*(.*)$`, 'm').exec(section);
  if (!match) return [];
  let value = match[1] ?? '';
  const rest = section.slice(match.index + match[0].length).split('\n');
  if (value.trim().startsWith('[')) {
    for (const line of rest) {
      if (value.includes(']')) break;
      value += ` ${line}`;
    }
    return [...value.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2] ?? '').filter(Boolean);
  }
  for (const line of rest) {
    if (!/^\s+\S/.test(line)) break;
    value += ` ${line}`;
  }
  return value
    .replace(/#.*$/gm, '')
    .split(/[\s,]+/)
    .map((v) => v.replace(/^['"]|['"]$/g, ''))
    .filter(Boolean);
}
