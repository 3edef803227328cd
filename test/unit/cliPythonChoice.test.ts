import { describe, expect, it } from 'vitest';
import { interpreterPlan, namedPythonProblem, pythonSelection } from '../../src/cli/pythonEnvironment';

describe("the CLI's Python for a job", () => {
  it('refuses a --python that does not run, before any sandbox starts', () => {
    const bad = { language: 'python' as const, choice: { command: '/no/such/python3', source: '--python' as const } };
    expect(namedPythonProblem(bad)).toMatch(/--python \/no\/such\/python3 does not run/);
    // Found by the rules rather than named: the sandbox reports it, the usage is fine.
    expect(namedPythonProblem({ ...bad, choice: { ...bad.choice, source: '.venv' } })).toBeUndefined();
  });

  it('gives the local sandbox the interpreter and Docker the project image, and names the image as the source there', () => {
    const setup = {
      language: 'python' as const,
      choice: { command: '/p/.venv/bin/python3', source: '.venv' as const },
      projectImage: { tag: 'devimg:test', origin: '.devcontainer/devcontainer.json' },
    };
    expect(pythonSelection(setup)).toEqual({
      local: { python: '/p/.venv/bin/python3' },
      projectImage: { tag: 'devimg:test', origin: '.devcontainer/devcontainer.json' },
    });
    expect(interpreterPlan(setup, 'local')).toEqual({ source: '.venv', command: '/p/.venv/bin/python3' });
    expect(interpreterPlan(setup, 'docker')).toEqual({ source: 'image', command: 'python3', image: 'devimg:test' });
  });
});
