/**
 * The bookkeeping of idle warm containers, without Docker: which idle container a run may take,
 * and which ones must go when one is put back. Idle containers are kept per key (image, memory
 * limit, harness command, mounted folder), at most `poolSize` per key, for one memory limit per
 * image and folder (the last asked for), and for at most `maxFolders` mounted folders (the most
 * recently used). Callers destroy what `put` and `evictOtherLimits` return.
 */

export interface IdleEntry {
  readonly key: string;
  readonly image: string;
  /** The host folder mounted read-only in the container, if any. */
  readonly workspace: string | undefined;
}

export interface IdleContainers<T extends IdleEntry> {
  /** Marks `folder` as just asked for (the least recently used folder's containers go first). */
  touch(folder: string | undefined): void;
  /** Removes and returns the newest idle container for `key`. */
  take(key: string): T | undefined;
  count(key: string): number;
  /** Idle containers of the same image and folder but another key: their limit is no longer wanted. */
  evictOtherLimits(image: string, folder: string | undefined, key: string): T[];
  /** Keeps `entry` idle; returns the containers that no longer fit (to be destroyed). */
  put(entry: T): T[];
  /** Empties the set, returning everything that was in it. */
  clear(): T[];
}

export function createIdleContainers<T extends IdleEntry>(maxFolders: number): IdleContainers<T> {
  const idle = new Map<string, T[]>();
  const folderUse = new Map<string, number>();
  let clock = 0;

  function evictOtherLimits(image: string, folder: string | undefined, key: string): T[] {
    const others: T[] = [];
    for (const [otherKey, list] of idle) {
      if (otherKey === key || list[0]?.image !== image || list[0].workspace !== folder) continue;
      others.push(...list);
      idle.delete(otherKey);
    }
    return others;
  }

  function evictOldFolders(): T[] {
    const kept = new Set<string>();
    for (const list of idle.values()) if (list[0]?.workspace !== undefined) kept.add(list[0].workspace);
    const oldestFirst = [...kept].sort((a, b) => (folderUse.get(a) ?? 0) - (folderUse.get(b) ?? 0));
    const dropped = new Set(oldestFirst.slice(0, Math.max(0, oldestFirst.length - maxFolders)));
    const gone: T[] = [];
    for (const [key, list] of idle) {
      const folder = list[0]?.workspace;
      if (folder === undefined || !dropped.has(folder)) continue;
      gone.push(...list);
      idle.delete(key);
    }
    for (const folder of dropped) folderUse.delete(folder);
    return gone;
  }

  return {
    touch(folder) {
      if (folder !== undefined) folderUse.set(folder, ++clock);
    },
    take(key) {
      return idle.get(key)?.pop();
    },
    count: (key) => idle.get(key)?.length ?? 0,
    evictOtherLimits,
    put(entry) {
      const gone = evictOtherLimits(entry.image, entry.workspace, entry.key);
      const list = idle.get(entry.key) ?? [];
      list.push(entry);
      idle.set(entry.key, list);
      if (entry.workspace !== undefined) gone.push(...evictOldFolders());
      return gone;
    },
    clear() {
      const all = [...idle.values()].flat();
      idle.clear();
      return all;
    },
  };
}
