/**
 * `auto | docker | local` → a Sandbox. `auto` takes Docker when an engine answers a short ping
 * (DOCKER_HOST or the default socket), else the local backend; the choice and why are returned
 * so the UI and CLI can say which isolation is in force.
 */
import type { Limits, Sandbox } from '../core/sandboxTypes';
import { connectDocker } from './dockerEngine';
import { createDockerSandbox, type ProjectImage } from './dockerSandbox';
import type { LocalSandboxOptions } from './localSandbox';
import { createLocalSandbox } from './localSandbox';
import { withMachineLoad } from './machineLoad';

export type SandboxChoice = 'auto' | 'docker' | 'local';

export const SANDBOX_CHOICES: readonly SandboxChoice[] = ['auto', 'docker', 'local'];

export function isSandboxChoice(value: string): value is SandboxChoice {
  return (SANDBOX_CHOICES as readonly string[]).includes(value);
}

export interface SelectionOptions {
  readonly dockerHost?: string;
  /** How long `auto` waits for the engine's answer. Default 1500 ms. */
  readonly pingTimeoutMs?: number;
  readonly defaultLimits?: Limits;
  readonly local?: LocalSandboxOptions;
  /** The project's image for Python jobs in Docker (see DockerSandboxOptions.projectImage). */
  readonly projectImage?: ProjectImage;
  readonly log?: (line: string) => void;
}

export type SandboxSelection =
  | { readonly kind: 'ok'; readonly sandbox: Sandbox; readonly backend: 'docker' | 'local'; readonly reason: string }
  /** `docker` was asked for and no engine answers. */
  | { readonly kind: 'error'; readonly message: string };

export async function selectSandbox(choice: SandboxChoice, options: SelectionOptions = {}): Promise<SandboxSelection> {
  const local = (reason: string): SandboxSelection => ({
    kind: 'ok',
    backend: 'local',
    reason,
    sandbox: withMachineLoad(
      createLocalSandbox({
        ...options.local,
        ...(options.defaultLimits ? { defaultLimits: options.defaultLimits } : {}),
      }),
    ),
  });
  if (choice === 'local') return local('asked for the local sandbox');
  const connection = await connectDocker({
    ...(options.dockerHost !== undefined ? { dockerHost: options.dockerHost } : {}),
    timeoutMs: options.pingTimeoutMs ?? 1500,
  });
  if (connection.kind === 'unreachable') {
    if (choice === 'docker') {
      return {
        kind: 'error',
        message: `No Docker engine answers at ${connection.host} (${connection.message}). Start Docker or set DOCKER_HOST, or use --sandbox local.`,
      };
    }
    return local(`no Docker engine answers at ${connection.host}`);
  }
  const docker = createDockerSandbox({
    docker: connection.docker,
    ...(options.defaultLimits ? { memoryMb: options.defaultLimits.memoryMb } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.projectImage ? { projectImage: options.projectImage } : {}),
  });
  const sandbox = withMachineLoad(docker);
  return {
    kind: 'ok',
    backend: 'docker',
    reason: `Docker engine ${connection.engineVersion} (API ${connection.apiVersion}) at ${connection.host}`,
    sandbox,
  };
}
