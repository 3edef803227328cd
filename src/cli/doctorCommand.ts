/**
 * `afterburner doctor [--json]`: which sandbox backends work here and the isolation each gives,
 * which interpreters the harness would use, and whether a model endpoint answers. The API key is
 * sent to the endpoint only and never printed.
 */
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

const HELP = `Usage: afterburner doctor [--json]

Checks which sandbox backends work on this machine (Docker engine at DOCKER_HOST or the default
socket, with its sandbox images; local bubblewrap/unshare/cgroup isolation), the Python and Node
the harness runs with, and whether the model at AFTERBURNER_BASE_URL (or OPENAI_BASE_URL) answers
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
    readonly python: { readonly path: string; readonly version: string } | null;
    readonly node: { readonly path: string; readonly version: string };
  };
  readonly model: ModelReport;
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

export async function collectDoctorReport(): Promise<DoctorReport> {
  const [docker, model] = await Promise.all([checkDocker(), checkModel()]);
  const local = checkLocal();
  const python = probePython('python3');
  const node = probeNode();
  return {
    docker,
    local,
    auto: docker.available ? 'docker' : 'local',
    runtimes: {
      python: python ? { path: python.executable, version: python.version } : null,
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
  lines.push(
    `  ${mark(report.runtimes.python !== null)}python  ${report.runtimes.python ? `${report.runtimes.python.version} (${report.runtimes.python.path})` : 'not found: install python3'}`,
  );
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
  try {
    const { values } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(HELP + '\n');
      return EXIT_OK;
    }
    json = values.json === true;
  } catch (err) {
    process.stderr.write(`afterburner doctor: ${errorMessage(err)}\n`);
    return EXIT_USAGE;
  }
  const report = await collectDoctorReport();
  process.stdout.write((json ? JSON.stringify(report) : formatDoctor(report)) + '\n');
  // The local backend always runs (at worst with rlimits only), so a sandbox is always there.
  return report.local.available || report.docker.available ? EXIT_OK : EXIT_FAILED;
}
