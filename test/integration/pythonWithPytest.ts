// The fixtures that use conftest fixtures need pytest, which the sandbox's default Python may lack.
import { execFileSync } from 'node:child_process';

/** The path of a Python that imports pytest (`python3` on PATH, then the system's), if any. */
export function pythonWithPytest(): string | undefined {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    try {
      return execFileSync(candidate, ['-c', 'import pytest, sys; print(sys.executable)'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      // next
    }
  }
  return undefined;
}
