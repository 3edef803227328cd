import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findSandboxDir, sandboxImage } from '../../src/adapters/sandboxImages';
import { runImages } from '../../src/cli/imagesCommand';
import { useDockerEngine } from './dockerForTests';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sandbox image tags', () => {
  it('names a changed harness with a new tag, an unchanged one with the same', () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'afterburner-images-'));
    try {
      cpSync(findSandboxDir(), copy, { recursive: true });
      const before = sandboxImage('python', copy).tag;
      expect(sandboxImage('python', copy).tag).toBe(before);
      expect(before).toMatch(/^afterburner-sandbox-python:[0-9a-f]{12}$/);
      writeFileSync(path.join(copy, 'python', 'harness.py'), '# changed\n', { flag: 'a' });
      expect(sandboxImage('python', copy).tag).not.toBe(before);
      // The Node image does not depend on the Python harness.
      expect(sandboxImage('node', copy).tag).toBe(sandboxImage('node').tag);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('`afterburner images` exits 2 with the reason when no engine answers', async () => {
    const previous = process.env.DOCKER_HOST;
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
    process.env.DOCKER_HOST = `unix://${path.join(tmpdir(), 'afterburner-no-engine.sock')}`;
    try {
      expect(await runImages([])).toBe(2);
    } finally {
      if (previous === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = previous;
      vi.restoreAllMocks();
    }
    expect(stderr.join('')).toContain('no Docker engine answers');
  });
});

describe('sandbox images on the engine', () => {
  const engine = useDockerEngine();

  it('`afterburner images --base` builds both images: non-root, the harness at /opt/afterburner/sandbox', async () => {
    const { docker, options } = engine();
    const stdout: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const base = options.images?.base;
    const code = await runImages(base ? ['--base', base] : []);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const tags = stdout.join('').trim().split('\n');
    expect(tags).toEqual([sandboxImage('python').tag, sandboxImage('node').tag]);
    for (const [tag, dir] of [
      [sandboxImage('python').tag, 'python'],
      [sandboxImage('node').tag, 'node'],
    ] as const) {
      const info = await docker.getImage(tag).inspect();
      expect(info.Config.User).toBe('10001:10001');
      const container = await docker.createContainer({
        Image: tag,
        Cmd: ['sh', '-c', `id -u; ls /opt/afterburner/sandbox; ls /opt/afterburner/sandbox/${dir} | head -1`],
        HostConfig: { NetworkMode: 'none' },
      });
      try {
        const stream = await container.attach({ stream: true, stdout: true, stderr: true });
        let text = '';
        docker.modem.demuxStream(
          stream,
          { write: (b: Buffer) => (text += b.toString()) } as never,
          { write: () => true } as never,
        );
        const ended = new Promise((resolve) => stream.on('end', resolve));
        await container.start();
        await ended;
        const [uid, listing, first] = text.trim().split('\n');
        expect(uid).toBe('10001');
        expect(listing).toBe(dir);
        expect(first).toBeTruthy();
      } finally {
        await container.remove({ force: true });
      }
    }
  });
});
