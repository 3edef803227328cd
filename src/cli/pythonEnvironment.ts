/**
 * The CLI's choice of Python for a job: the project's interpreter for the local sandbox
 * (`--python`, VIRTUAL_ENV, the project's venv, Poetry/uv/Pipenv/conda, python3), the project's dev
 * container image for Docker, and how the output names what ran.
 */
import path from 'node:path';
import type { Language } from '../core/sandboxTypes';
import { findDevContainerImage } from '../adapters/devContainerImage';
import type { ProjectImage } from '../adapters/dockerSandbox';
import type { SelectionOptions } from '../adapters/sandboxSelection';
import { probePython } from '../adapters/harnessRun';
import { imageKindFor, sandboxImage } from '../adapters/sandboxImages';
import {
  describeInterpreterSource,
  findPythonInterpreter,
  type InterpreterChoice,
} from '../languages/python/interpreter';
import { harnessOf } from '../languages/registry';
import type { InterpreterPlan } from './interpreterJson';

export interface PythonSetup {
  readonly language: Language;
  readonly choice: InterpreterChoice;
  readonly projectImage?: ProjectImage;
}

/** Undefined for languages that do not run on CPython. */
export function choosePython(
  language: Language,
  options: { named?: string; projectRoot?: string },
  log: (line: string) => void,
): PythonSetup | undefined {
  if (harnessOf(language).runtime !== 'cpython') return undefined;
  const choice = findPythonInterpreter({
    ...(options.named !== undefined ? { named: { path: options.named, source: '--python' as const } } : {}),
    env: process.env,
    ...(options.projectRoot !== undefined ? { projectRoot: options.projectRoot } : {}),
  });
  const projectImage = options.projectRoot !== undefined ? devContainerImage(options.projectRoot, log) : undefined;
  return { language, choice, ...(projectImage ? { projectImage } : {}) };
}

function devContainerImage(root: string, log: (line: string) => void): ProjectImage | undefined {
  const found = findDevContainerImage(root);
  if (found.kind === 'dockerfile')
    log(
      `${path.relative(root, found.file)} builds its image from a Dockerfile; in Docker, Python jobs run in afterburner's image (give the dev container's built image as "image" to use it).`,
    );
  return found.kind === 'image' ? { tag: found.image, origin: path.relative(root, found.file) } : undefined;
}

/** `--python` that does not run is bad usage, said before any sandbox starts. */
export function namedPythonProblem(setup: PythonSetup | undefined): string | undefined {
  if (setup?.choice.source !== '--python' || probePython(setup.choice.command)) return undefined;
  return `--python ${setup.choice.command} does not run as Python 3 (not found, not executable, or not Python). Give the path of the project's interpreter, e.g. .venv/bin/python.`;
}

/** What selectSandbox needs: the interpreter for the local sandbox, the image for Docker. */
export function pythonSelection(setup: PythonSetup | undefined): Pick<SelectionOptions, 'local' | 'projectImage'> {
  if (!setup) return {};
  const python = localPython(setup.choice);
  return {
    ...(python !== undefined ? { local: { python } } : {}),
    ...(setup.projectImage ? { projectImage: setup.projectImage } : {}),
  };
}

/**
 * The interpreter the local sandbox is told to run. python3 on PATH is passed as the binary it
 * resolves to, so the sandbox binds that one (a pyenv under a private home included) rather than
 * falling back to the system Python: what `doctor` names is what runs. Nothing when there is none
 * (the sandbox then says so).
 */
export function localPython(choice: InterpreterChoice): string | undefined {
  return choice.source === 'PATH' ? probePython(choice.command)?.executable : choice.command;
}

/** How the output names the interpreter, once the backend is known (in Docker the image's Python runs). */
export function interpreterPlan(
  setup: PythonSetup | undefined,
  backend: 'docker' | 'local',
): InterpreterPlan | undefined {
  if (!setup) return undefined;
  if (backend === 'local') return { source: setup.choice.source, command: setup.choice.command };
  return { source: 'image', command: 'python3', image: setup.projectImage?.tag ?? ownImage(setup.language) };
}

function ownImage(language: Language): string {
  try {
    return sandboxImage(imageKindFor(language)).tag;
  } catch {
    return `afterburner-sandbox-${imageKindFor(language)}`;
  }
}

/** The stderr line before a run: which Python, and why. */
export function describePythonChoice(setup: PythonSetup, backend: 'docker' | 'local'): string {
  if (backend === 'docker')
    return `python: the image's (${setup.projectImage ? `${setup.projectImage.tag}, from ${setup.projectImage.origin}` : ownImage(setup.language)}); the host's ${setup.choice.command} (${describeInterpreterSource(setup.choice.source)}) is not used in Docker`;
  return `python: ${setup.choice.command} (${describeInterpreterSource(setup.choice.source)})`;
}
