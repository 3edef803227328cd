// Connecting to a Docker engine: from DOCKER_HOST or an explicit unix://, tcp:// or ssh:// URL,
// with a short ping and API version negotiation (we speak at most API 1.41, Docker 20.10).
import Dockerode from 'dockerode';
import { errorMessage } from '../core/errorMessage';

/** The newest engine API whose features we use. Newer engines answer older clients fine. */
export const MAX_API_VERSION = '1.41';
/** Older engines lack PidsLimit/NanoCpus/exec features we rely on. */
export const MIN_API_VERSION = '1.25';

export type DockerConnection =
  | {
      readonly kind: 'connected';
      readonly docker: Dockerode;
      readonly apiVersion: string;
      readonly engineVersion: string;
      readonly host: string;
    }
  | { readonly kind: 'unreachable'; readonly host: string; readonly message: string };

/** Dockerode connection options for a Docker host URL (the DOCKER_HOST syntax). */
export function dockerOptionsFor(host: string): Dockerode.DockerOptions {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) || '/var/run/docker.sock' };
  if (host.startsWith('npipe://')) return { socketPath: host.slice('npipe://'.length) || '//./pipe/docker_engine' };
  const url = new URL(host.includes('//') ? host : `tcp://${host}`);
  if (url.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: url.port || 22,
      username: url.username || undefined,
      sshOptions: { agent: process.env.SSH_AUTH_SOCK },
    } as Dockerode.DockerOptions;
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`unsupported Docker host '${host}': use unix://, tcp:// or ssh://`);
  }
  const tls = url.protocol === 'https:' || process.env.DOCKER_TLS_VERIFY === '1' || url.port === '2376';
  return { protocol: tls ? 'https' : 'http', host: url.hostname, port: url.port || (tls ? 2376 : 2375) };
}

/** The host the engine is expected at: the given URL, else DOCKER_HOST, else the default socket. */
export function resolveDockerHost(dockerHost?: string): string {
  return dockerHost ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Pings the engine (bounded by `timeoutMs`, so a missing engine costs little) and returns a client
 * pinned to min(engine API, 1.41). Never throws: an unreachable engine is a value.
 */
export async function connectDocker(
  options: { dockerHost?: string; timeoutMs?: number } = {},
): Promise<DockerConnection> {
  const host = resolveDockerHost(options.dockerHost);
  const timeoutMs = options.timeoutMs ?? 2000;
  try {
    const base = dockerOptionsFor(host);
    const probe = new Dockerode({ ...base, timeout: timeoutMs });
    const version = await withTimeout(probe.version(), timeoutMs, `Docker engine at ${host}`);
    const engineApi = version.ApiVersion;
    if (compareVersions(engineApi, MIN_API_VERSION) < 0) {
      return {
        kind: 'unreachable',
        host,
        message: `Docker engine at ${host} speaks API ${engineApi}; ${MIN_API_VERSION} or newer is needed`,
      };
    }
    const apiVersion = compareVersions(engineApi, MAX_API_VERSION) < 0 ? engineApi : MAX_API_VERSION;
    const docker = new Dockerode({ ...base, version: `v${apiVersion}` });
    return { kind: 'connected', docker, apiVersion, engineVersion: version.Version, host };
  } catch (err) {
    return { kind: 'unreachable', host, message: errorMessage(err) };
  }
}

/** True when the engine answers within `timeoutMs`. */
export async function pingDocker(docker: Dockerode, timeoutMs = 2000): Promise<boolean> {
  try {
    await withTimeout(docker.ping(), timeoutMs, 'Docker engine');
    return true;
  } catch {
    return false;
  }
}
