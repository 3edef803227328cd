import { describe, expect, it } from 'vitest';
import { createIdleContainers } from '../../src/adapters/dockerIdleContainers';

interface Entry {
  readonly key: string;
  readonly image: string;
  readonly workspace: string | undefined;
  readonly name: string;
}

const entry = (name: string, image: string, memory: number, workspace?: string): Entry => ({
  key: JSON.stringify([image, memory, workspace ?? null]),
  image,
  workspace,
  name,
});

describe('idle warm containers', () => {
  it('hands back the containers of the key asked for, newest first', () => {
    const idle = createIdleContainers<Entry>(2);
    const a = entry('a', 'py', 256);
    const b = entry('b', 'py', 256);
    expect(idle.put(a)).toEqual([]);
    expect(idle.put(b)).toEqual([]);
    expect(idle.count(a.key)).toBe(2);
    expect(idle.take(a.key)?.name).toBe('b');
    expect(idle.take(a.key)?.name).toBe('a');
    expect(idle.take(a.key)).toBeUndefined();
  });

  it('keeps one memory limit per image and folder: another limit evicts the old one', () => {
    const idle = createIdleContainers<Entry>(2);
    idle.put(entry('small', 'py', 256, '/p'));
    idle.put(entry('other image', 'node', 256, '/p'));
    const gone = idle.put(entry('large', 'py', 512, '/p'));
    expect(gone.map((e) => e.name)).toEqual(['small']);
    expect(idle.evictOtherLimits('node', '/p', entry('x', 'node', 1024, '/p').key).map((e) => e.name)).toEqual([
      'other image',
    ]);
  });

  it('keeps the idle containers of the most recently used folders only', () => {
    const idle = createIdleContainers<Entry>(2);
    for (const folder of ['/one', '/two']) {
      idle.touch(folder);
      idle.put(entry(folder, 'py', 256, folder));
    }
    idle.touch('/one');
    idle.touch('/three');
    const gone = idle.put(entry('/three', 'py', 256, '/three'));
    expect(gone.map((e) => e.name)).toEqual(['/two']);
    expect(
      idle
        .clear()
        .map((e) => e.name)
        .sort(),
    ).toEqual(['/one', '/three']);
  });
});
