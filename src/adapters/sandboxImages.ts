// The Docker images the sandbox runs in, built from sandbox/<kind>.Dockerfile with the sandbox/
// folder as build context. The tag carries a hash of the Dockerfile and the harness files, so a
// changed harness means a new image and a stale one is never used by mistake.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type Dockerode from 'dockerode';
import type { Language } from '../core/sandboxTypes';
import { errorMessage } from '../core/errorMessage';
import { LANGUAGES, harnessOf } from '../languages/registry';

/** The harness folder of sandbox/ an image is built for ('python', 'node'). */
export type ImageKind = string;

export const IMAGE_KINDS: readonly ImageKind[] = [...new Set(LANGUAGES.map((l) => l.harness.folder))];

export interface SandboxImage {
  readonly kind: ImageKind;
  /** e.g. `afterburner-sandbox-python:3f9c2a1b7d04` */
  readonly tag: string;
  readonly dockerfile: string;
  /** Build-context files, relative to the sandbox folder, POSIX separators. */
  readonly files: readonly string[];
}

export type ImageOutcome =
  | { readonly kind: 'present'; readonly tag: string }
  | { readonly kind: 'built'; readonly tag: string }
  | { readonly kind: 'failed'; readonly tag: string; readonly message: string };

export function imageKindFor(language: Language): ImageKind {
  return harnessOf(language).folder;
}

/** The repo's sandbox/ folder: next to dist/ when bundled, two levels up from src/adapters/ in tests. */
export function findSandboxDir(start: string = __dirname): string {
  for (const candidate of [join(start, '..', 'sandbox'), join(start, '..', '..', 'sandbox')]) {
    if (existsSync(join(candidate, 'python.Dockerfile'))) return candidate;
  }
  throw new Error(`sandbox/ folder with the Dockerfiles not found near ${start}`);
}

function listFiles(root: string, dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // Bytecode caches differ between machines and must not change the image hash.
    if (entry.name === '__pycache__' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(root, full));
    else if (entry.isFile()) files.push(relative(root, full).split(sep).join('/'));
  }
  return files.sort();
}

export function sandboxImage(kind: ImageKind, sandboxDir: string = findSandboxDir()): SandboxImage {
  const dockerfile = `${kind}.Dockerfile`;
  const files = [dockerfile, ...listFiles(sandboxDir, join(sandboxDir, kind))];
  const hash = createHash('sha256');
  for (const file of files) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(sandboxDir, file)))
      .update('\0');
  }
  return { kind, tag: `afterburner-sandbox-${kind}:${hash.digest('hex').slice(0, 12)}`, dockerfile, files };
}

export async function imageExists(docker: Dockerode, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

interface BuildProgress {
  readonly stream?: string;
  readonly status?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
}

/**
 * Builds one image. `base` replaces the Dockerfile's `ARG BASE` (for machines without registry
 * access); `onProgress` receives the engine's build output line by line.
 */
export async function buildSandboxImage(
  docker: Dockerode,
  image: SandboxImage,
  options: { sandboxDir?: string; base?: string; onProgress?: (line: string) => void } = {},
): Promise<ImageOutcome> {
  const sandboxDir = options.sandboxDir ?? findSandboxDir();
  try {
    const stream = await docker.buildImage(
      { context: sandboxDir, src: [...image.files] },
      {
        t: image.tag,
        dockerfile: image.dockerfile,
        rm: true,
        forcerm: true,
        labels: { afterburner: '1', 'afterburner.kind': image.kind },
        ...(options.base !== undefined ? { buildargs: { BASE: options.base } } : {}),
      },
    );
    let failure: string | undefined;
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (event: BuildProgress) => {
          if (event.error !== undefined) failure = event.errorDetail?.message ?? event.error;
          const text = event.stream ?? event.status ?? event.error;
          if (text !== undefined && text.trim() !== '') options.onProgress?.(text.trimEnd());
        },
      );
    });
    if (failure !== undefined) return { kind: 'failed', tag: image.tag, message: failure };
    if (!(await imageExists(docker, image.tag)))
      return { kind: 'failed', tag: image.tag, message: 'the build ended without an image' };
    return { kind: 'built', tag: image.tag };
  } catch (err) {
    return { kind: 'failed', tag: image.tag, message: errorMessage(err) };
  }
}

/** The image if it is there, else built now. */
export async function ensureSandboxImage(
  docker: Dockerode,
  image: SandboxImage,
  options: { sandboxDir?: string; base?: string; onProgress?: (line: string) => void } = {},
): Promise<ImageOutcome> {
  if (await imageExists(docker, image.tag)) return { kind: 'present', tag: image.tag };
  return buildSandboxImage(docker, image, options);
}

/**
 * Removes older builds of the image (other tags of its repository, left by earlier harness
 * versions). An image a container still uses is kept: the engine refuses, and that is fine.
 */
export async function pruneStaleImages(docker: Dockerode, image: SandboxImage): Promise<string[]> {
  const repository = image.tag.slice(0, image.tag.lastIndexOf(':'));
  const removed: string[] = [];
  const found = await docker.listImages({ filters: { reference: [repository] } });
  for (const info of found) {
    for (const tag of info.RepoTags ?? []) {
      if (!tag.startsWith(`${repository}:`) || tag === image.tag) continue;
      try {
        await docker.getImage(tag).remove();
        removed.push(tag);
      } catch {
        // in use, or already gone
      }
    }
  }
  return removed;
}
