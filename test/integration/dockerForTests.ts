// What the Docker suites need before they start: an engine that answers, or the reason it does
// not (then they skip, unless AFTERBURNER_REQUIRE_DOCKER=1 makes that a failure).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type Dockerode from 'dockerode';
import { beforeAll, beforeEach } from 'vitest';
import type { Language, SandboxJob } from '../../src/core/sandboxTypes';
import { connectDocker } from '../../src/adapters/dockerEngine';
import type { DockerSandboxOptions } from '../../src/adapters/dockerSandbox';
import { ensureSandboxImage, IMAGE_KINDS, imageExists, sandboxImage } from '../../src/adapters/sandboxImages';
import type { ImageKind } from '../../src/adapters/sandboxImages';

export const dockerRequired = process.env.AFTERBURNER_REQUIRE_DOCKER === '1';

/** The offline base image the CI builds; on machines with a registry the Dockerfiles' default is used. */
const OFFLINE_BASE = 'afterburner-base:bookworm';

export type DockerForTests =
  | { readonly kind: 'ready'; readonly docker: Dockerode; readonly options: DockerSandboxOptions }
  | { readonly kind: 'missing'; readonly reason: string };

export async function dockerForTests(): Promise<DockerForTests> {
  const connection = await connectDocker({ timeoutMs: 3000 });
  if (connection.kind === 'unreachable')
    return { kind: 'missing', reason: `no Docker engine answers at ${connection.host} (${connection.message})` };
  const base =
    process.env.AFTERBURNER_SANDBOX_BASE ??
    ((await imageExists(connection.docker, OFFLINE_BASE)) ? OFFLINE_BASE : undefined);
  return {
    kind: 'ready',
    docker: connection.docker,
    options: { docker: connection.docker, ...(base ? { images: { base } } : {}) },
  };
}

/**
 * Registers the suite's hooks: the engine is probed once; when it is missing every test is skipped
 * with the reason, or, with AFTERBURNER_REQUIRE_DOCKER=1, the suite fails.
 */
export function useDockerEngine(): () => Extract<DockerForTests, { kind: 'ready' }> {
  let env: DockerForTests | undefined;
  beforeAll(async () => {
    env = await dockerForTests();
    if (env.kind === 'missing') {
      if (dockerRequired) throw new Error(`AFTERBURNER_REQUIRE_DOCKER=1 but ${env.reason}`);
      return;
    }
    // Built here (once per harness version) so that no test's time goes into an image build; the
    // suite then uses exactly these tags.
    const base = env.options.images?.base;
    const tags: Partial<Record<ImageKind, string>> = {};
    for (const kind of IMAGE_KINDS) {
      const outcome = await ensureSandboxImage(env.docker, sandboxImage(kind), base ? { base } : {});
      if (outcome.kind === 'failed')
        throw new Error(`the ${kind} sandbox image could not be built: ${outcome.message}`);
      tags[kind] = outcome.tag;
    }
    env = { ...env, options: { ...env.options, images: { ...env.options.images, tags } } };
  });
  beforeEach((context) => {
    if (env?.kind !== 'ready') context.skip(env?.reason ?? 'the Docker engine was not probed');
  });
  return () => {
    if (env?.kind !== 'ready') throw new Error(env?.reason ?? 'the Docker engine was not probed');
    return env;
  };
}

const fixtures = path.join(__dirname, '..', 'fixtures', 'docker');

export function fixtureJob(
  language: Language,
  module: string,
  tests: readonly string[],
  target: string,
  overrides: Partial<SandboxJob> = {},
): SandboxJob {
  const files = [module, ...tests].map((p) => ({ path: p, content: readFileSync(path.join(fixtures, p), 'utf8') }));
  return {
    language,
    files,
    modulePath: module,
    testPaths: tests,
    target,
    mode: { kind: 'profile' },
    limits: { timeoutMs: 60_000, memoryMb: 512 },
    measure: { budgetMs: 300, maxSamples: 15 },
    ...overrides,
  };
}

/** Containers carrying this sandbox's label, running or not. */
export async function containersOf(docker: Dockerode, sandboxId: string): Promise<Dockerode.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`afterburner.sandbox=${sandboxId}`] } });
}
