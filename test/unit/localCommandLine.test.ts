import { describe, expect, it } from 'vitest';
import type { LocalCommandInput } from '../../src/adapters/localCommandLine';
import { INPUT_MOUNT, localCommandLine, localWorkDir } from '../../src/adapters/localCommandLine';

const MB = 1024 * 1024;
const SETPRIV = ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--'];

function input(overrides: Partial<LocalCommandInput> = {}): LocalCommandInput {
  const level = overrides.level ?? 'bwrap';
  const hostDir = '/tmp/afterburner-local-abc123';
  return {
    level,
    tools: { bwrap: '/usr/bin/bwrap', unshare: '/usr/bin/unshare', prlimit: '/usr/bin/prlimit' },
    language: 'python',
    limits: { timeoutMs: 10_000, memoryMb: 256 },
    workDirMb: 64,
    maxProcesses: 128,
    systemMounts: ['--ro-bind', '/usr', '/usr'],
    readOnlyDirs: ['/opt/py', '/usr/lib/python3', '/repo/sandbox'],
    hostDir,
    workDir: localWorkDir(level, hostDir),
    harness: { command: '/opt/py/bin/python3', args: ['-I', '/repo/sandbox/python/harness.py', 'job.json'] },
    ...overrides,
  };
}

/** The arguments following `flag` in argv, each time it occurs. */
function after(argv: readonly string[], flag: string, count = 2): string[][] {
  const found: string[][] = [];
  argv.forEach((arg, i) => {
    if (arg === flag) found.push(argv.slice(i + 1, i + 1 + count));
  });
  return found;
}

describe('localCommandLine', () => {
  it('runs bwrap under prlimit with no network, the work dir on a sized tmpfs and the input copied in', () => {
    const { argv, env, cwd } = localCommandLine(input());
    expect(argv.slice(0, 1)).toEqual(['/usr/bin/prlimit']);
    const bwrapAt = argv.indexOf('/usr/bin/bwrap');
    expect(argv.indexOf('--')).toBeLessThan(bwrapAt);
    expect(argv.slice(bwrapAt + 1, bwrapAt + 3)).toEqual(['--unshare-all', '--die-with-parent']);
    expect(argv).toContain(`--fsize=${64 * MB}`);
    expect(argv).toContain(`--as=${(2 * 256 + 1024) * MB}`);
    expect(after(argv, '--size', 3)[0]).toEqual([String(64 * MB), '--tmpfs', '/tmp']);
    expect(after(argv, '--ro-bind')).toContainEqual(['/tmp/afterburner-local-abc123/in', INPUT_MOUNT]);
    expect(after(argv, '--chdir', 1)).toEqual([['/tmp/afterburner-local-abc123']]);
    expect(argv.slice(-5)).toEqual([
      'afterburner-copy',
      '/opt/py/bin/python3',
      '-I',
      '/repo/sandbox/python/harness.py',
      'job.json',
    ]);
    expect(env).toEqual({
      PATH: '/opt/py/bin:/usr/local/bin:/usr/bin:/bin',
      LANG: 'C.UTF-8',
      HOME: '/tmp/afterburner-local-abc123',
      TMPDIR: '/tmp/afterburner-local-abc123',
    });
    expect(cwd).toBe('/tmp/afterburner-local-abc123');
  });

  it('binds the interpreter and harness read-only but not again below the system folders', () => {
    const binds = after(localCommandLine(input()).argv, '--ro-bind');
    expect(binds).toContainEqual(['/opt/py', '/opt/py']);
    expect(binds).toContainEqual(['/repo/sandbox', '/repo/sandbox']);
    expect(binds).not.toContainEqual(['/usr/lib/python3', '/usr/lib/python3']);
  });

  it('leaves out an optional folder that would cover the private work dir', () => {
    const covering = localCommandLine(input({ optionalReadOnlyDir: '/tmp' })).argv;
    expect(covering).not.toContain('--ro-bind-try');
    const workspace = localCommandLine(input({ optionalReadOnlyDir: '/home/me/app', language: 'javascript' }));
    expect(after(workspace.argv, '--ro-bind-try')).toEqual([['/home/me/app', '/home/me/app']]);
  });

  it('as root, binds as root without a user namespace and drops to nobody inside, before the job runs', () => {
    const { argv } = localCommandLine(input({ dropPrivileges: SETPRIV, projectRoot: '/root/projects/app' }));
    const bwrapAt = argv.indexOf('/usr/bin/bwrap');
    expect(argv.indexOf('/usr/bin/prlimit')).toBeLessThan(bwrapAt);
    expect(argv).not.toContain('--unshare-all');
    expect(argv).toContain('--unshare-net');
    expect(after(argv, '--cap-add', 1).flat()).toEqual(['CAP_SETUID', 'CAP_SETGID', 'CAP_SETPCAP']);
    // setpriv comes after bwrap's own `--` and before the copy shell that runs the job.
    const separator = argv.indexOf('--', bwrapAt);
    expect(argv.slice(separator + 1, separator + 1 + SETPRIV.length)).toEqual(SETPRIV);
    expect(argv.indexOf('afterburner-copy')).toBeGreaterThan(separator + SETPRIV.length);
    expect(argv).toContain('--nproc=128');
    expect(localCommandLine(input()).argv.some((a) => a.startsWith('--nproc'))).toBe(false);
  });

  it('mounts the project read-only at its own path, with walkable folders above it', () => {
    const { argv } = localCommandLine(input({ dropPrivileges: SETPRIV, projectRoot: '/root/projects/app' }));
    expect(after(argv, '--ro-bind')).toContainEqual(['/root/projects/app', '/root/projects/app']);
    expect(after(argv, '--dir', 1).flat()).toEqual(
      expect.arrayContaining(['/root', '/root/projects', '/tmp/afterburner-local-abc123']),
    );
    expect(argv.indexOf('/root')).toBeLessThan(argv.indexOf('/root/projects/app'));
    expect(argv).not.toContain('--bind');
  });

  it('mounts the unshare tmpfs as root and drops to nobody only inside it', () => {
    const { argv, cwd } = localCommandLine(input({ level: 'unshare', dropPrivileges: SETPRIV }));
    const unshareAt = argv.indexOf('/usr/bin/unshare');
    expect(argv.slice(unshareAt + 1, unshareAt + 3)).toEqual(['--net', '--pid']);
    const script = argv[argv.indexOf('-c') + 1] ?? '';
    expect(script).toContain(`mount -t tmpfs -o size=64m,mode=0755 afterburner '/tmp/afterburner-local-abc123/work'`);
    expect(script).toContain(`chown -R 65534:65534 '/tmp/afterburner-local-abc123/work'`);
    expect(argv.indexOf('/usr/bin/setpriv')).toBeGreaterThan(argv.indexOf('afterburner-mount'));
    expect(cwd).toBe('/tmp/afterburner-local-abc123');
    const withProject = localCommandLine(input({ level: 'unshare', projectRoot: '/home/me/app' })).argv;
    const mountScript = withProject[withProject.indexOf('-c') + 1] ?? '';
    expect(mountScript).toContain(`mount --bind '/home/me/app' '/home/me/app'`);
    expect(mountScript).toContain(`mount -o remount,bind,ro '/home/me/app'`);
  });

  it('runs the harness directly in the input folder with rlimits only', () => {
    const { argv, cwd, env } = localCommandLine(input({ level: 'rlimits' }));
    expect(argv[0]).toBe('/usr/bin/prlimit');
    expect(argv.slice(argv.indexOf('--') + 1)).toEqual([
      '/opt/py/bin/python3',
      '-I',
      '/repo/sandbox/python/harness.py',
      'job.json',
    ]);
    expect(cwd).toBe('/tmp/afterburner-local-abc123/in');
    expect(env.HOME).toBe('/tmp/afterburner-local-abc123/in');
  });

  it('falls back to the bare command when the level asked for has no tool', () => {
    const { argv } = localCommandLine(input({ tools: {} }));
    expect(argv[0]).toBe('/opt/py/bin/python3');
  });

  it('enters the cgroup first, in a shell that execs the rest', () => {
    const { argv } = localCommandLine(input({ cgroupProcsFiles: ['/sys/fs/cgroup/memory/a/run/cgroup.procs'] }));
    expect(argv.slice(0, 4)).toEqual([
      '/bin/sh',
      '-c',
      `echo $$ > '/sys/fs/cgroup/memory/a/run/cgroup.procs' && exec "$@"`,
      'afterburner-cgroup',
    ]);
    expect(argv[4]).toBe('/usr/bin/prlimit');
    // The cgroup bounds memory; an address-space limit would count thread reservations instead.
    expect(argv.some((a) => a.startsWith('--as='))).toBe(false);
  });

  it('gives Node no address-space limit and the workspace node_modules on NODE_PATH', () => {
    const { argv, env } = localCommandLine(
      input({ language: 'javascript', workspaceRoot: '/home/me/app', extraEnv: { ELECTRON_RUN_AS_NODE: '1' } }),
    );
    expect(argv.some((a) => a.startsWith('--as='))).toBe(false);
    expect(env.NODE_PATH).toBe('/home/me/app/node_modules');
    expect(env.ELECTRON_RUN_AS_NODE).toBe('1');
  });
});
