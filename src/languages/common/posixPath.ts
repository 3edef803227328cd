/** Job-relative paths ('/'-separated, '' for the root) without node:path, for the pure modules. */

/** The folder of `path`: '' for a file at the root. */
export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
