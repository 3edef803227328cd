import { describe, expect, it } from 'vitest';
import { containerSpec } from '../../src/adapters/dockerContainerPool';

describe("a container of the project's own image", () => {
  it('gets the harness mounted read-only beside the project, with the same locked-down limits', () => {
    const spec = containerSpec('devimg:test', 256, 'sb1', ['sh', '-c', 'agent'], '/home/u/proj', {
      host: '/opt/ext/sandbox/python',
      container: '/opt/afterburner/sandbox/python',
    });
    expect(spec.Image).toBe('devimg:test');
    expect(spec.HostConfig?.Binds).toEqual([
      '/home/u/proj:/home/u/proj:ro',
      '/opt/ext/sandbox/python:/opt/afterburner/sandbox/python:ro',
    ]);
    expect(spec.HostConfig).toMatchObject({ NetworkMode: 'none', ReadonlyRootfs: true, CapDrop: ['ALL'] });
    expect(spec.User).toBe('10001:10001');
  });

  it('mounts the folders the workspace links packages from beside it, read-only at their own paths', () => {
    const spec = containerSpec('afterburner-sandbox-node:x', 256, 'sb1', ['sh'], '/home/u/app', undefined, [
      '/home/u/.pnpm-store/node_modules',
    ]);
    expect(spec.HostConfig?.Binds).toEqual([
      '/home/u/app:/home/u/app:ro',
      '/home/u/.pnpm-store/node_modules:/home/u/.pnpm-store/node_modules:ro',
    ]);
  });
});
