/**
 * Hostile code every sandbox backend must contain, with the outcome each must produce. Shared by
 * the local and Docker suites so both backends are held to the same expectations.
 *
 * Each case is a module plus a test that calls into it. Host-side facts (a TCP server the code
 * tries to reach, secrets in our own environment, a /tmp path the code tries to write) come from
 * a `HostileContext` the suite creates once.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SandboxJob, SandboxResult, SandboxStatus } from '../../src/core/sandboxTypes';

export interface HostileContext {
  /** A TCP port on 127.0.0.1 where the test process listens. */
  readonly port: number;
  /** A path under the host's /tmp that the code tries to create. */
  readonly hostFile: string;
  /** The secret values we put in our own environment. */
  readonly secrets: readonly string[];
  /** Connections the TCP server accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export interface HostileCase {
  readonly name: string;
  readonly language: 'python' | 'javascript';
  readonly module: (ctx: HostileContext) => string;
  readonly test: (ctx: HostileContext) => string;
  /** Statuses that count as contained. */
  readonly expect: readonly SandboxStatus[];
  /** For `crashed`: the signal that must be named. */
  readonly signal?: string;
  readonly timeoutMs?: number;
  readonly memoryMb?: number;
  /** What must hold on the host after the run; returns a problem or undefined. */
  readonly hostCheck?: (ctx: HostileContext, result: SandboxResult) => string | undefined;
  /** Needs a network/filesystem-isolating backend (not an rlimits-only local run). */
  readonly needsNamespaces?: boolean;
}

export const SECRET_ENV = ['AFTERBURNER_API_KEY', 'OPENAI_API_KEY'] as const;

/** Starts the TCP listener, puts fake secrets in our environment, picks a host /tmp path. */
export async function createHostileContext(): Promise<HostileContext> {
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const previous = SECRET_ENV.map((name) => [name, process.env[name]] as const);
  const secrets = SECRET_ENV.map((name) => `sk-hostile-${name.toLowerCase()}-${randomBytes(6).toString('hex')}`);
  SECRET_ENV.forEach((name, i) => (process.env[name] = secrets[i]));
  const hostFile = path.join(tmpdir(), `afterburner-escape-proof-${randomBytes(6).toString('hex')}.txt`);
  return {
    port,
    hostFile,
    secrets,
    connections: () => accepted,
    async close() {
      for (const [name, value] of previous) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      rmSync(hostFile, { force: true });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const py = (body: string): string => body.trim() + '\n';

export const HOSTILE_CASES: readonly HostileCase[] = [
  {
    name: 'infinite loop',
    language: 'python',
    module: () =>
      py(`
def f(x):
    while True:
        x += 1
`),
    test: () =>
      py(`
from mod import f
def test_f():
    assert f(1) == 2
`),
    expect: ['timeout'],
    timeoutMs: 4000,
  },
  {
    name: 'infinite loop (javascript)',
    language: 'javascript',
    module: () => 'export function f(x) {\n  for (;;) x++;\n}\n',
    test: () =>
      "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { f } from './mod.mjs';\ntest('f', () => assert.equal(f(1), 2));\n",
    expect: ['timeout'],
    timeoutMs: 4000,
  },
  {
    name: 'memory bomb',
    language: 'python',
    module: () =>
      py(`
def f(x):
    hoard = []
    while True:
        hoard.append(b"x" * (8 * 1024 * 1024))
`),
    test: () =>
      py(`
from mod import f
def test_f():
    assert f(1) is None
`),
    expect: ['memory_limit'],
    memoryMb: 192,
    timeoutMs: 30_000,
  },
  {
    name: 'memory bomb (javascript)',
    language: 'javascript',
    module: () =>
      'export function f() {\n  const hoard = [];\n  for (;;) hoard.push(new Array(1 << 20).fill(1.5));\n}\n',
    test: () =>
      "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { f } from './mod.mjs';\ntest('f', () => assert.equal(f(), undefined));\n",
    expect: ['memory_limit'],
    memoryMb: 256,
    timeoutMs: 30_000,
  },
  {
    name: 'fork bomb',
    language: 'python',
    module: () =>
      py(`
import os
def f(x):
    while True:
        try:
            os.fork()
        except OSError:
            pass
`),
    test: () =>
      py(`
from mod import f
def test_f():
    assert f(1) == 1
`),
    expect: ['timeout', 'failed', 'crashed', 'memory_limit'],
    timeoutMs: 4000,
    needsNamespaces: true,
  },
  {
    name: 'orphaned background process',
    language: 'python',
    module: () =>
      py(`
import subprocess
def f(x):
    subprocess.Popen(["sleep", "600"], start_new_session=True)
    return x
`),
    test: () =>
      py(`
from mod import f
def test_f():
    assert f(1) == 1
`),
    expect: ['passed'],
  },
  {
    name: 'stdout and stderr flood',
    language: 'python',
    module: () =>
      py(`
import sys
def f(x):
    line = "flood " * 170 + "\\n"
    block = line * 1000
    for _ in range(60):
        sys.stdout.write(block)
        sys.stderr.write(block)
    return x
`),
    test: () =>
      py(`
from mod import f
def test_f():
    assert f(1) == 1
`),
    expect: ['passed'],
    timeoutMs: 60_000,
    hostCheck: (_ctx, result) =>
      result.output.length > 4 * 1024 * 1024 ? `output kept ${result.output.length} chars, not capped` : undefined,
  },
  {
    // Straight to the file descriptors, past any capture the harness sets up for print().
    name: 'flood of the raw stdout and stderr descriptors',
    language: 'python',
    module: () =>
      py(`
import os
def f(x):
    block = ("raw " * 255 + "\\n").encode() * 1024
    for _ in range(50):
        os.write(1, block)
        os.write(2, block)
    return x
`),
    test: () =>
      py(`
from mod import f
def test_f():
    assert f(1) == 1
`),
    expect: ['passed'],
    timeoutMs: 60_000,
    hostCheck: (_ctx, result) =>
      result.output.length > 4 * 1024 * 1024 ? `output kept ${result.output.length} chars, not capped` : undefined,
  },
  {
    name: 'disk fill',
    language: 'python',
    module: () =>
      py(`
def f(x):
    chunk = b"\\0" * (1024 * 1024)
    with open("fill.bin", "wb") as out:
        for _ in range(4096):
            out.write(chunk)
            out.flush()
    return x
`),
    test: () =>
      py(`
from mod import f
def test_f():
    assert f(1) == 1
`),
    expect: ['failed', 'error', 'crashed'],
    timeoutMs: 60_000,
  },
  {
    name: 'network connection to a host port',
    language: 'python',
    module: () =>
      py(`
import socket
def f(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"leak")
        return "connected"
    except OSError:
        return "blocked"
    finally:
        s.close()
`),
    test: (ctx) =>
      py(`
from mod import f
def test_f():
    assert f(${ctx.port}) == "blocked"
`),
    expect: ['passed'],
    needsNamespaces: true,
    hostCheck: (ctx) =>
      ctx.connections() > 0 ? `the host server accepted ${ctx.connections()} connection(s)` : undefined,
  },
  {
    name: 'reading the environment for secrets',
    language: 'python',
    module: () =>
      py(`
import os
def f(names):
    return {name: os.environ.get(name) for name in names}
`),
    test: (ctx) =>
      py(`
import os
from mod import f
def test_f():
    names = ${JSON.stringify([...SECRET_ENV])}
    assert f(names) == {name: None for name in names}
    secrets = ${JSON.stringify(ctx.secrets)}
    assert not any(s in v for v in os.environ.values() for s in secrets)
`),
    expect: ['passed'],
  },
  {
    name: 'reading the environment for secrets (javascript)',
    language: 'javascript',
    module: () => 'export function f(names) {\n  return names.map((n) => process.env[n] ?? null);\n}\n',
    test: (ctx) =>
      "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { f } from './mod.mjs';\n" +
      `test('f', () => {\n  assert.deepEqual(f(${JSON.stringify([...SECRET_ENV])}), [null, null]);\n` +
      `  const secrets = ${JSON.stringify(ctx.secrets)};\n  assert.ok(!Object.values(process.env).some((v) => secrets.some((s) => String(v).includes(s))));\n});\n`,
    expect: ['passed'],
  },
  {
    name: 'writing to host /tmp',
    language: 'python',
    module: () =>
      py(`
def f(path):
    try:
        with open(path, "w") as out:
            out.write("escaped")
        return True
    except OSError:
        return False
`),
    test: (ctx) =>
      py(`
from mod import f
def test_f():
    f(${JSON.stringify(ctx.hostFile)})
`),
    expect: ['passed', 'failed'],
    needsNamespaces: true,
    hostCheck: (ctx) => (existsSync(ctx.hostFile) ? `${ctx.hostFile} appeared on the host` : undefined),
  },
  {
    name: 'killing the parent',
    language: 'python',
    module: () =>
      py(`
import os
def f(x):
    os.kill(os.getppid(), 9)
    return x
`),
    test: () =>
      py(`
from mod import f
def test_f():
    assert f(1) == 1
`),
    expect: ['passed', 'failed', 'crashed', 'error'],
  },
  {
    name: 'killing the own process group',
    language: 'python',
    module: () =>
      py(`
import os
def f(x):
    os.killpg(0, 9)
    return x
`),
    test: () =>
      py(`
from mod import f
def test_f():
    assert f(1) == 1
`),
    expect: ['crashed'],
  },
  {
    name: 'killing every process it can (kill -1)',
    language: 'python',
    module: () =>
      py(`
import os
def f(x):
    os.kill(-1, 9)
    return x
`),
    test: () =>
      py(`
from mod import f
def test_f():
    assert f(1) == 1
`),
    expect: ['passed', 'failed', 'crashed'],
    needsNamespaces: true,
  },
  {
    name: 'deep recursion',
    language: 'python',
    module: () =>
      py(`
import sys
def f(n):
    sys.setrecursionlimit(10 ** 8)
    return g(n)
def g(n):
    return g(n + 1) + 1
`),
    test: () =>
      py(`
from mod import f
def test_f():
    assert f(1) == 1
`),
    expect: ['failed', 'crashed', 'memory_limit'],
    timeoutMs: 30_000,
  },
  {
    name: 'segfault',
    language: 'python',
    module: () =>
      py(`
import ctypes
def f(x):
    return ctypes.string_at(0)
`),
    test: () =>
      py(`
from mod import f
def test_f():
    assert f(1) == 1
`),
    expect: ['crashed'],
    signal: 'SIGSEGV',
  },
];

/** The sandbox job of a case, with its own limits. */
export function hostileJob(hostile: HostileCase, ctx: HostileContext): SandboxJob {
  const python = hostile.language === 'python';
  const modulePath = python ? 'mod.py' : 'mod.mjs';
  const testPath = python ? 'test_mod.py' : 'mod.test.mjs';
  return {
    language: hostile.language,
    files: [
      { path: modulePath, content: hostile.module(ctx) },
      { path: testPath, content: hostile.test(ctx) },
    ],
    modulePath,
    testPaths: [testPath],
    target: 'f',
    mode: { kind: 'test' },
    limits: { timeoutMs: hostile.timeoutMs ?? 20_000, memoryMb: hostile.memoryMb ?? 256 },
  };
}

/** A job that must pass: run after the hostile ones to show the sandbox still works. */
export function healthyJob(): SandboxJob {
  return {
    language: 'python',
    files: [
      { path: 'mod.py', content: 'def f(x):\n    return x * 2\n' },
      { path: 'test_mod.py', content: 'from mod import f\n\ndef test_f():\n    assert f(21) == 42\n' },
    ],
    modulePath: 'mod.py',
    testPaths: ['test_mod.py'],
    target: 'f',
    mode: { kind: 'test' },
    limits: { timeoutMs: 20_000, memoryMb: 256 },
  };
}

/**
 * Processes on this machine whose command line or environment holds `marker` (a run's work dir
 * name prefix), other than ourselves. Empty when a run left nothing behind.
 */
export function processesMarkedWith(marker: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      let environ = '';
      try {
        environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      } catch {
        // another user's process may hide its environment
      }
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Zombies already dead and waiting for their parent to reap them are not running code.
      if (/\) Z /.test(stat)) continue;
      if (cmdline.includes(marker) || environ.includes(marker))
        found.push(`${entry}: ${cmdline.replace(/\0/g, ' ').trim()}`);
    } catch {
      // exited while we looked
    }
  }
  return found;
}
