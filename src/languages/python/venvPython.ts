import { existsSync } from 'node:fs';
import path from 'node:path';

/** The interpreter inside a virtual environment folder (POSIX `bin/`, Windows `Scripts/`), if there is one. */
export function venvPython(dir: string): string | undefined {
  for (const name of ['bin/python3', 'bin/python', 'Scripts/python.exe']) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
