/**
 * `afterburner doctor [--json]`: which sandbox backends work here and the isolation each gives,
 * which interpreters the harness would use, and whether a model endpoint answers. The API key is
 * sent to the endpoint only and never printed.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { connectDocker } from '../adapters/dockerEngine';
import { dockerIsolation } from '../adapters/dockerSandbox';
import { probeNode, probePython } from '../adapters/harnessRun';
import { probeLocalCapabilities } from '../adapters/localIsolation';
import { createLocalSandbox } from '../adapters/localSandbox';
import { IMAGE_KINDS, imageExists, sandboxImage } from '../adapters/sandboxImages';
import { DEFAULT_MEMORY_MB } from './cliArgs';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exitCodes';
import { errorMessage } from '../core/errorMessage';
import { findDevContainerImage } from '../adapters/devContainerImage';
import {
  describeInterpreterSource,
  findPythonInterpreter,
  type InterpreterSource,
} from '../languages/python/interpreter';
import { findPythonProjectRoot } from '../languages/python/projectRoot';

const HELP = `Usage: afterburner doctor [--python PATH] [--json]

Checks which sandbox backends work on this machine (Docker engine at DOCKER_HOST or the default
socket, with its sandbox images; local bubblewrap/unshare/cgroup isolation), the Python a profile
in the current folder would run with (and why: --python, VIRTUAL_ENV, the project's .venv/venv,
its uv/Poetry/Pipenv/conda environment, else python3 on PATH) and whether pytest imports under it,
the Node the harness runs with, and whether the model at AFTERBURNER_BASE_URL (or OPENAI_BASE_URL) answers
with the key in AFTERBURNER_API_KEY (or OPENAI_API_KEY).
Exit codes: 0 a sandbox backend works, 1 none does, 2 bad usage.`;

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const MODEL_TIMEOUT_MS = 5000;

interface DockerReport {
  readonly available: boolean;
  readonly host: string;
  readonly engine_version?: string;
  readonly api_version?: string;
  readonly images?: readonly { readonly kind: string; readonly tag: string; readonly present: boolean }[];
  readonly isolation?: string;
  readonly message: string;
}

interface LocalReport {
  readonly available: true;
  readonly isolation: string;
  readonly root: boolean;
  readonly bwrap: { readonly usable: boolean; readonly path?: string; readonly problem?: string };
  readonly unshare: boolean;
  readonly cgroup: string | null;
  readonly setpriv: boolean;
  readonly prlimit: boolean;
}

interface ModelReport {
  readonly base_url: string;
  readonly key: string | null;
  readonly reachable: boolean;
  readonly status?: number;
  readonly models?: readonly string[];
  readonly message: string;
}

export interface DoctorReport {
  readonly docker: DockerReport;
  readonly local: LocalReport;
  readonly auto: 'docker' | 'local';
  readonly runtimes: {
    readonly python: PythonReport | null;
    readonly node: { readonly path: string; readonly version: string };
  };
  readonly model: ModelReport;
}

interface PythonReport {
  readonly path: string;
  readonly version: string;
  /** Why this interpreter: "--python", "VIRTUAL_ENV", ".venv", "poetry", …, "PATH". */
  readonly source: InterpreterSource;
  /** The Python project the current folder belongs to, if any. */
  readonly project_root: string | null;
  /** pytest's version under this interpreter, or null when it does not import. */
  readonly pytest: string | null;
  /** The dev container image Python jobs run in with Docker, if the project names one. */
  readonly docker_image?: string;
}

/** The interpreter a profile started in `cwd` would use, and whether pytest imports under it. */
function checkPython(cwd: string, named: string | undefined): PythonReport | null {
  const projectRoot = findPythonProjectRoot(cwd);
  const choice = findPythonInterpreter({
    ...(named !== undefined ? { named: { path: named, source: '--python' as const } } : {}),
    env: process.env,
    ...(projectRoot !== undefined ? { projectRoot } : {}),
  });
  const install = probePython(choice.command);
  if (!install) return null;
  let pytest: string | null = null;
  try {
    pytest = execFileSync(install.executable, ['-c', 'import pytest; print(pytest.__version__)'], {
      encoding: 'utf8',
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    pytest = null;
  }
  const image = projectRoot !== undefined ? findDevContainerImage(projectRoot) : undefined;
  return {
    path: install.executable,
    version: install.version,
    source: choice.source,
    project_root: projectRoot ?? null,
    pytest,
    ...(image?.kind === 'image' ? { docker_image: image.image } : {}),
  };
}

async function checkDocker(): Promise<DockerReport> {
  const connection = await connectDocker({ timeoutMs: 2000 });
  if (connection.kind === 'unreachable') {
    return { available: false, host: connection.host, message: `no Docker engine answers: ${connection.message}` };
  }
  const images = [];
  for (const kind of IMAGE_KINDS) {
    try {
      const { tag } = sandboxImage(kind);
      images.push({ kind, tag, present: await imageExists(connection.docker, tag) });
    } catch (err) {
      images.push({ kind, tag: `(${errorMessage(err)})`, present: false });
    }
  }
  const missing = images.filter((i) => !i.present).map((i) => i.kind);
  return {
    available: true,
    host: connection.host,
    engine_version: connection.engineVersion,
    api_version: connection.apiVersion,
    images,
    isolation: dockerIsolation(DEFAULT_MEMORY_MB),
    message:
      missing.length === 0
        ? 'engine reachable, sandbox images present'
        : `engine reachable; images missing for ${missing.join(', ')} (built on first use, or run 'afterburner images')`,
  };
}

function checkLocal(): LocalReport {
  const caps = probeLocalCapabilities();
  return {
    available: true,
    isolation: createLocalSandbox().describe().isolation,
    root: caps.root,
    bwrap: {
      usable: caps.bwrap !== undefined,
      ...(caps.bwrap ? { path: caps.bwrap } : {}),
      ...(caps.bwrapProblem ? { problem: caps.bwrapProblem } : {}),
    },
    unshare: caps.unshare !== undefined,
    cgroup: caps.cgroup ?? null,
    setpriv: caps.setpriv !== undefined,
    prlimit: caps.prlimit !== undefined,
  };
}

async function checkModel(): Promise<ModelReport> {
  const base = (process.env.AFTERBURNER_BASE_URL || process.env.OPENAI_BASE_URL || DEFAULT_BASE_URL).replace(
    /\/+$/,
    '',
  );
  const keySource = process.env.AFTERBURNER_API_KEY
    ? 'AFTERBURNER_API_KEY'
    : process.env.OPENAI_API_KEY
      ? 'OPENAI_API_KEY'
      : null;
  const key = keySource ? process.env[keySource] : undefined;
  try {
    const response = await fetch(`${base}/models`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
      signal: AbortSignal.timeout(MODEL_TIMEOUT_MS),
    });
    if (!response.ok) {
      const why =
        response.status === 401 || response.status === 403
          ? key
            ? 'the key was rejected'
            : 'a key is needed: set AFTERBURNER_API_KEY'
          : `HTTP ${response.status}`;
      return {
        base_url: base,
        key: keySource,
        reachable: false,
        status: response.status,
        message: `${base} answered ${response.status}: ${why}`,
      };
    }
    const body = (await response.json().catch(() => ({}))) as { data?: { id?: unknown }[] };
    const models = (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
    return {
      base_url: base,
      key: keySource,
      reachable: true,
      status: response.status,
      models,
      message: `${base} answers with ${models.length} model(s)`,
    };
  } catch (err) {
    const reason =
      err instanceof Error && err.name === 'TimeoutError'
        ? `no answer within ${MODEL_TIMEOUT_MS / 1000} s`
        : err instanceof Error
          ? err.cause instanceof Error
            ? err.cause.message
            : err.message
          : String(err);
    return { base_url: base, key: keySource, reachable: false, message: `${base} is not reachable: ${reason}` };
  }
}

export async function collectDoctorReport(options: { python?: string; cwd?: string } = {}): Promise<DoctorReport> {
  const [docker, model] = await Promise.all([checkDocker(), checkModel()]);
  const local = checkLocal();
  const python = checkPython(options.cwd ?? process.cwd(), options.python);
  const node = probeNode();
  return {
    docker,
    local,
    auto: docker.available ? 'docker' : 'local',
    runtimes: {
      python,
      node: { path: node.executable, version: node.version },
    },
    model,
  };
}

function formatDoctor(report: DoctorReport): string {
  const mark = (ok: boolean): string => (ok ? 'ok  ' : 'no  ');
  const lines: string[] = ['Sandbox backends'];
  const d = report.docker;
  lines.push(
    `  ${mark(d.available)}docker  ${d.host}${d.available ? ` — Docker ${d.engine_version}, API ${d.api_version}` : ''}: ${d.message}`,
  );
  for (const image of d.images ?? [])
    lines.push(`          image ${image.kind}: ${image.tag} ${image.present ? 'present' : 'missing'}`);
  if (d.isolation) lines.push(`          isolation: ${d.isolation}`);
  const l = report.local;
  lines.push(`  ok  local   isolation: ${l.isolation}`);
  lines.push(
    `          bwrap ${l.bwrap.usable ? 'usable' : `not usable${l.bwrap.problem ? ` (${l.bwrap.problem})` : ''}`}, unshare ${l.unshare ? 'yes' : 'no'}, cgroup ${l.cgroup ?? 'no'}, setpriv ${l.setpriv ? 'yes' : 'no'}, prlimit ${l.prlimit ? 'yes' : 'no'}${l.root ? ', running as root' : ''}`,
  );
  lines.push(`  --sandbox auto uses: ${report.auto}`);
  lines.push('Runtimes');
  const py = report.runtimes.python;
  if (py) {
    lines.push(`  ok  python  ${py.version} (${py.path}): ${describeInterpreterSource(py.source)}`);
    lines.push(`          for ${py.project_root ?? 'this folder (no Python project found above it)'}`);
    lines.push(
      `          pytest ${py.pytest ?? 'does not import: the tests run under unittest (install pytest in this interpreter for pytest-style tests)'}`,
    );
    if (py.docker_image) lines.push(`          in Docker: the dev container image ${py.docker_image}`);
  } else lines.push('  no  python  not found: install python3, or name one with --python');
  lines.push(`  ok  node    ${report.runtimes.node.version} (${report.runtimes.node.path})`);
  lines.push('Model');
  const m = report.model;
  lines.push(`  ${mark(m.reachable)}${m.message}`);
  lines.push(`      key: ${m.key ? `set (${m.key})` : 'not set (AFTERBURNER_API_KEY or OPENAI_API_KEY)'}`);
  if (m.models && m.models.length > 0)
    lines.push(`      models: ${m.models.slice(0, 10).join(', ')}${m.models.length > 10 ? ', …' : ''}`);
  return lines.join('\n');
}

export async function runDoctor(argv: string[]): Promise<number> {
  let json: boolean;
  let python: string | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, python: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(HELP + '\n');
      return EXIT_OK;
    }
    json = values.json === true;
    python = typeof values.python === 'string' && values.python !== '' ? values.python : undefined;
  } catch (err) {
    process.stderr.write(`afterburner doctor: ${errorMessage(err)}\n`);
    return EXIT_USAGE;
  }
  const report = await collectDoctorReport(python !== undefined ? { python } : {});
  process.stdout.write((json ? JSON.stringify(report) : formatDoctor(report)) + '\n');
  // The local backend always runs (at worst with rlimits only), so a sandbox is always there.
  return report.local.available || report.docker.available ? EXIT_OK : EXIT_FAILED;
}
