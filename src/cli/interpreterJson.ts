/**
 * Which Python ran a job and why, for the CLI's text and `--json` ("python": {path, version,
 * source}). The path and version are what the harness reported from inside the sandbox; the
 * source is the rule that chose it on the host ("image" in Docker, where the image's Python runs).
 */
import { probePython } from '../adapters/harnessRun';
import { describeInterpreterSource, type InterpreterSource } from '../languages/python/interpreter';

export interface InterpreterPlan {
  readonly source: InterpreterSource | 'image';
  /** The command the local sandbox runs (a path, or `python3`). */
  readonly command: string;
  /** The Docker image whose Python runs the job. */
  readonly image?: string;
}

export interface InterpreterJson {
  readonly path: string;
  readonly version: string;
  readonly source: InterpreterSource | 'image';
  readonly image?: string;
}

/** "path (version)" as the harnesses report it. */
export function parseRanBy(ranBy: string): { path: string; version: string } | undefined {
  const match = /^(.*\S) \(([^()]*)\)$/.exec(ranBy.trim());
  return match ? { path: match[1] ?? '', version: match[2] ?? '' } : undefined;
}

export function interpreterJson(plan: InterpreterPlan, ranBy: string | undefined): InterpreterJson {
  const found = whatRan(plan, ranBy);
  return {
    path: found?.path ?? plan.command,
    version: found?.version ?? 'unknown',
    source: plan.source,
    ...(plan.image !== undefined ? { image: plan.image } : {}),
  };
}

/** The harness's report; without one (the run stopped before it started), what would have run. */
function whatRan(plan: InterpreterPlan, ranBy: string | undefined): { path: string; version: string } | undefined {
  const reported = ranBy !== undefined ? parseRanBy(ranBy) : undefined;
  if (reported || plan.source === 'image') return reported;
  const probed = probePython(plan.command);
  return probed ? { path: probed.executable, version: probed.version } : undefined;
}

/** One line: "/p/.venv/bin/python3 3.11.2 (the project's .venv)". */
export function formatInterpreter(json: InterpreterJson): string {
  const why = describeInterpreterSource(json.source);
  const version = json.version === 'unknown' ? '' : ` ${json.version}`;
  return `${json.path}${version} (${why}${json.image !== undefined ? ` ${json.image}` : ''})`;
}

/**
 * A job that ran in Afterburner's own image and missed a module: the image has the standard
 * library only, so say where the project's packages are (the local sandbox, or an image with them).
 */
export function missingPackageHint(python: InterpreterJson | undefined, texts: readonly string[]): string | undefined {
  if (python?.source !== 'image' || !python.image?.startsWith('afterburner-sandbox-')) return undefined;
  const missing = texts.map((t) => /No module named '([^']+)'/.exec(t)?.[1]).find((m) => m !== undefined);
  if (missing === undefined) return undefined;
  return (
    `'${missing}' is not in Afterburner's Docker image (it has Python's standard library only). ` +
    `Run with --sandbox local to use the project's own Python, or give the project a dev container image that has its packages ("image" in .devcontainer/devcontainer.json; afterburner.sandbox.image in VS Code).`
  );
}
