import { describe, expect, it } from 'vitest';
import type { SandboxResult } from '../../src/core/sandboxTypes';
import { formatInterpreter, parseRanBy } from '../../src/cli/interpreterJson';
import { formatProfileText, toProfileJson } from '../../src/cli/profileJson';

const passed: SandboxResult = {
  kind: 'passed',
  sandbox: 'docker',
  isolation: 'docker: no network',
  wallMs: 10,
  output: '',
  tests: { passed: 2, failed: 0 },
  runner: 'pytest',
  interpreter: '/usr/local/bin/python3 (3.12.4)',
};

describe('the interpreter in the profile output', () => {
  it('gives path, version and source, and the image in Docker', () => {
    const json = toProfileJson(passed, {
      language: 'python',
      functionName: 'total',
      interpreter: { source: 'image', command: 'python3', image: 'ghcr.io/acme/py:3.12' },
    });
    expect(json.python).toEqual({
      path: '/usr/local/bin/python3',
      version: '3.12.4',
      source: 'image',
      image: 'ghcr.io/acme/py:3.12',
    });
    expect(json.interpreter).toBe('/usr/local/bin/python3 (3.12.4)');
    expect(formatProfileText(json)).toContain(
      "python    /usr/local/bin/python3 3.12.4 (the Docker image's Python ghcr.io/acme/py:3.12)",
    );
  });

  it('reads the harnesses\' "path (version)", spaces in the path included', () => {
    expect(parseRanBy('/home/a b/.venv/bin/python3 (3.11.7)')).toEqual({
      path: '/home/a b/.venv/bin/python3',
      version: '3.11.7',
    });
    expect(parseRanBy('python3')).toBeUndefined();
    expect(formatInterpreter({ path: '/p/.venv/bin/python3', version: '3.11.7', source: '.venv' })).toBe(
      "/p/.venv/bin/python3 3.11.7 (the project's .venv)",
    );
  });
});
