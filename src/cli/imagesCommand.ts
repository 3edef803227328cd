// `afterburner images [--base IMAGE] [--rebuild]`: builds the sandbox images from sandbox/ on the
// engine at DOCKER_HOST. Progress goes to stderr; the image tags, one per line, to stdout.
import { parseArgs } from 'node:util';
import { connectDocker } from '../adapters/dockerEngine';
import { buildSandboxImage, IMAGE_KINDS, imageExists, pruneStaleImages, sandboxImage } from '../adapters/sandboxImages';
import { EXIT_OK, EXIT_USAGE } from './exitCodes';
import { errorMessage } from '../core/errorMessage';

const help = `afterburner images [--base IMAGE] [--rebuild]

Builds the sandbox images (Python, and Node for JavaScript/TypeScript) from sandbox/*.Dockerfile
on the Docker engine at DOCKER_HOST. Tags carry a hash of the harness, so images are only rebuilt
when it changed (or with --rebuild); older builds are then removed.
  --base IMAGE   build FROM this image instead of python:3.12-slim / node:22-slim (for machines
                 without registry access; it needs python3 and node)
  --rebuild      build even when an image with the current tag exists
Exit codes: 0 images ready, 2 no engine, bad usage or a failed build.`;

export async function runImages(argv: string[]): Promise<number> {
  let values: { base?: string; rebuild?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { base: { type: 'string' }, rebuild: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`afterburner images: ${errorMessage(err)}\n\n${help}\n`);
    return EXIT_USAGE;
  }
  if (values.help) {
    process.stdout.write(`${help}\n`);
    return EXIT_OK;
  }
  if (values.base !== undefined && values.base.trim() === '') {
    process.stderr.write('afterburner images: --base needs an image name\n');
    return EXIT_USAGE;
  }

  const connection = await connectDocker({ timeoutMs: 5000 });
  if (connection.kind === 'unreachable') {
    process.stderr.write(`afterburner images: no Docker engine answers at ${connection.host}: ${connection.message}\n`);
    return EXIT_USAGE;
  }
  process.stderr.write(
    `Docker engine ${connection.engineVersion} (API ${connection.apiVersion}) at ${connection.host}\n`,
  );

  let failed = false;
  for (const kind of IMAGE_KINDS) {
    const image = sandboxImage(kind);
    if (!values.rebuild && (await imageExists(connection.docker, image.tag))) {
      process.stderr.write(`${image.tag}: up to date\n`);
    } else {
      process.stderr.write(
        `${image.tag}: building from sandbox/${image.dockerfile}${values.base ? ` on ${values.base}` : ''}\n`,
      );
      const outcome = await buildSandboxImage(connection.docker, image, {
        ...(values.base !== undefined ? { base: values.base } : {}),
        onProgress: (line) => process.stderr.write(`  ${line}\n`),
      });
      if (outcome.kind === 'failed') {
        process.stderr.write(`${image.tag}: build failed: ${outcome.message}\n`);
        failed = true;
        continue;
      }
      process.stderr.write(`${image.tag}: built\n`);
    }
    process.stdout.write(`${image.tag}\n`);
    const removed = await pruneStaleImages(connection.docker, image).catch(() => []);
    if (removed.length > 0) process.stderr.write(`${image.tag}: removed ${removed.length} older build(s)\n`);
  }
  return failed ? EXIT_USAGE : EXIT_OK;
}
