import { describe, expect, it } from 'vitest';
import type { SandboxResult } from '../../src/core/sandboxTypes';
import { formatInterpreter, missingPackageHint, parseRanBy } from '../../src/cli/interpreterJson';
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

describe("a module missing from Afterburner's image", () => {
  it('points to the local sandbox or a dev container image, only for our own image', () => {
    const ours = {
      path: '/usr/bin/python3',
      version: '3.11.2',
      source: 'image' as const,
      image: 'afterburner-sandbox-python:0123456789ab',
    };
    const texts = ["ModuleNotFoundError while importing test file tests/test_x.py: No module named 'numpy'"];
    expect(missingPackageHint(ours, texts)).toMatch(/'numpy' is not in Afterburner's Docker image.*--sandbox local/);
    expect(missingPackageHint({ ...ours, image: 'ghcr.io/acme/py:3.12' }, texts)).toBeUndefined();
    expect(missingPackageHint({ ...ours, source: '.venv' }, texts)).toBeUndefined();
    expect(missingPackageHint(ours, ['assert 1 == 2'])).toBeUndefined();
  });
});
