import { spawnSync } from 'node:child_process';
import os, { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createDockerSandbox } from '../../src/adapters/dockerSandbox';
import type { DockerSandbox } from '../../src/adapters/dockerSandbox';
import { sandboxImage } from '../../src/adapters/sandboxImages';
import { containersOf, fixtureJob, useDockerEngine } from './dockerForTests';

describe('Docker sandbox', () => {
  const engine = useDockerEngine();
  const sandboxes: DockerSandbox[] = [];
  const open = (): DockerSandbox => {
    const sandbox = createDockerSandbox(engine().options);
    sandboxes.push(sandbox);
    return sandbox;
  };
  afterEach(async () => {
    await Promise.all(sandboxes.splice(0).map((s) => s.dispose()));
  });

  it('profiles a Python function: tests pass, calls recorded, runtime and memory measured', async () => {
    const result = await open().run(fixtureJob('python', 'squares.py', ['test_squares.py'], 'sum_of_squares'));
    expect(result.kind, result.output).toBe('passed');
    if (result.kind !== 'passed') return;
    expect(result.sandbox).toBe('docker');
    expect(result.isolation).toMatch(/no network.*read-only root.*512 MB/);
    expect(result.tests).toEqual({ passed: 2, failed: 0 });
    expect(result.recording?.calls).toBe(2);
    expect(result.measurement?.runtimeMs.median).toBeGreaterThan(0);
    expect(result.measurement?.peakMemoryKb).toBeGreaterThanOrEqual(0);
  });

  it('profiles a JavaScript function with node:test', async () => {
    const result = await open().run(fixtureJob('javascript', 'squares.mjs', ['squares.test.mjs'], 'sumOfSquares'));
    expect(result.kind, result.output).toBe('passed');
    if (result.kind !== 'passed') return;
    expect(result.tests).toEqual({ passed: 2, failed: 0 });
    expect(result.recording?.calls).toBe(2);
    expect(result.measurement?.runtimeMs.median).toBeGreaterThan(0);
  });

  it('says in what share of its CPU-quota periods the container was throttled', async () => {
    const quiet = await open().run(fixtureJob('javascript', 'squares.mjs', ['squares.test.mjs'], 'sumOfSquares'));
    expect(quiet.kind, quiet.output).toBe('passed');
    expect(quiet.quotaThrottledShare).toBeGreaterThanOrEqual(0);
    expect(quiet.quotaThrottledShare).toBeLessThanOrEqual(1);
    // Seven threads spinning for two seconds ask for seven CPUs of a 1.5-CPU quota. The container's
    // threads share one task's weight on the host, so the quota binds only where the host has a
    // core to spare: on a busy machine they get less than a CPU and are never throttled.
    const loadBefore = os.loadavg()[0] ?? 0;
    const busy = await open().run(fixtureJob('javascript', 'squares.mjs', ['busyThreads.test.mjs'], 'sumOfSquares'));
    const load = Math.max(loadBefore, os.loadavg()[0] ?? 0);
    expect(busy.kind, busy.output).toBe('passed');
    expect(busy.quotaThrottledShare).toBeGreaterThanOrEqual(0);
    if (load < os.availableParallelism() - 1) expect(busy.quotaThrottledShare).toBeGreaterThan(0.1);
  });

  it('reports a failing test by name with its assertion', async () => {
    const result = await open().run(fixtureJob('python', 'squares.py', ['test_squares_wrong.py'], 'sum_of_squares'));
    expect(result.kind, result.output).toBe('failed');
    if (result.kind !== 'failed') return;
    expect(result.tests.failed).toBe(1);
    expect(result.failures[0]?.test).toContain('test_off_by_one');
  });

  it("runs the code as uid 10001 with only PATH, LANG, HOME, TMPDIR (and the harness's own), no network, a read-only root", async () => {
    const probe = [
      'import errno, os, socket',
      '',
      'def test_isolation():',
      '    ours = {"HOME", "LANG", "PATH", "TMPDIR", "PYTHONHASHSEED"}  # the last one set by the harness itself',
      '    assert [k for k in os.environ if k not in ours and not k.startswith("AFTERBURNER_HARNESS_")] == [], sorted(os.environ)',
      '    assert os.getuid() == 10001',
      '    assert [name for _, name in socket.if_nameindex()] == ["lo"]',
      '    try:',
      '        open("/tmp/afterburner-probe", "w")',
      '        raise AssertionError("/tmp was writable")',
      '    except OSError as e:',
      '        assert e.errno == errno.EROFS, e',
      '    open(os.path.join(os.environ["TMPDIR"], "scratch"), "w").write("ok")',
      '',
    ].join('\n');
    const job = fixtureJob('python', 'squares.py', [], 'sum_of_squares', {
      files: [
        ...fixtureJob('python', 'squares.py', [], 'sum_of_squares').files,
        { path: 'test_probe.py', content: probe },
      ],
      testPaths: ['test_probe.py'],
      mode: { kind: 'test' },
    });
    const result = await open().run(job);
    expect(result.kind, `${'failures' in result ? JSON.stringify(result.failures) : ''}\n${result.output}`).toBe(
      'passed',
    );
  });

  it('reuses the warm container for the next run, in a fresh work dir', async () => {
    const sandbox = open();
    const { docker } = engine();
    // The first run leaves a file behind in its work dir; the second must not see it.
    const leave = fixtureJob('python', 'squares.py', ['test_squares.py'], 'sum_of_squares', {
      files: [
        ...fixtureJob('python', 'squares.py', ['test_squares.py'], 'sum_of_squares').files,
        {
          path: 'test_leave.py',
          content:
            'import os\n\ndef test_leave():\n    open(os.path.expanduser("~/../left-behind"), "w").write("x")\n    open("left-here", "w").write("x")\n',
        },
      ],
      testPaths: ['test_squares.py', 'test_leave.py'],
      mode: { kind: 'test' },
    });
    const look = fixtureJob('python', 'squares.py', ['test_squares.py'], 'sum_of_squares', {
      files: [
        ...fixtureJob('python', 'squares.py', ['test_squares.py'], 'sum_of_squares').files,
        {
          path: 'test_look.py',
          content:
            'import os, glob\n\ndef test_look():\n    assert not os.path.exists("left-here")\n    assert glob.glob("/run/sandbox-work/left-behind") == []\n',
        },
      ],
      testPaths: ['test_squares.py', 'test_look.py'],
      mode: { kind: 'test' },
    });
    const first = await sandbox.run(leave);
    expect(first.kind, first.output).toBe('passed');
    const afterFirst = await containersOf(docker, sandbox.id);
    const second = await sandbox.run(look);
    expect(second.kind, second.output).toBe('passed');
    const afterSecond = await containersOf(docker, sandbox.id);
    expect(afterFirst.map((c) => c.Id)).toHaveLength(1);
    expect(afterSecond.map((c) => c.Id)).toEqual(afterFirst.map((c) => c.Id));
    expect(afterSecond[0]?.State).toBe('running');
  });

  it('runs two jobs at once in two containers, then keeps one warm', async () => {
    const sandbox = open();
    const job = fixtureJob('python', 'squares.py', ['test_squares.py'], 'sum_of_squares', { mode: { kind: 'test' } });
    const results = await Promise.all([sandbox.run(job), sandbox.run(job)]);
    expect(results.map((r) => r.kind)).toEqual(['passed', 'passed']);
    expect(await containersOf(engine().docker, sandbox.id)).toHaveLength(1);
  });

  it('cancels a run through its AbortSignal and leaves no container running', async () => {
    const sandbox = open();
    const job = fixtureJob('python', 'squares.py', ['test_squares.py'], 'sum_of_squares', {
      files: [
        { path: 'squares.py', content: 'def sum_of_squares(n):\n    while True:\n        pass\n' },
        {
          path: 'test_squares.py',
          content: 'from squares import sum_of_squares\n\ndef test_hangs():\n    sum_of_squares(3)\n',
        },
      ],
    });
    const controller = new AbortController();
    const running = sandbox.run(job, controller.signal);
    // Abort once the container exists (the run is then inside the endless loop).
    while (sandbox.containerIds().length === 0) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(await containersOf(engine().docker, sandbox.id)).toEqual([]);
  });

  it('dispose() removes its containers and refuses further runs', async () => {
    const sandbox = open();
    const result = await sandbox.run(
      fixtureJob('javascript', 'squares.mjs', ['squares.test.mjs'], 'sumOfSquares', { mode: { kind: 'test' } }),
    );
    expect(result.kind, result.output).toBe('passed');
    expect(await containersOf(engine().docker, sandbox.id)).toHaveLength(1);
    await sandbox.dispose();
    await sandbox.dispose();
    expect(await containersOf(engine().docker, sandbox.id)).toEqual([]);
    const after = await sandbox.run(fixtureJob('javascript', 'squares.mjs', ['squares.test.mjs'], 'sumOfSquares'));
    expect(after.kind).toBe('error');
  });

  it('removes containers left behind by a host process that died', async () => {
    const { docker, options } = engine();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const orphan = await docker.createContainer({
      Image: options.images?.tags?.python ?? sandboxImage('python').tag,
      Cmd: ['sleep', 'infinity'],
      Labels: {
        afterburner: '1',
        'afterburner.pid': String(dead),
        'afterburner.host': hostname(),
        'afterburner.sandbox': 'orphan-test',
      },
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      // The sandbox reaps on first contact with the engine; the explicit call finds nothing more.
      await open().reapOrphans();
      expect(await containersOf(docker, 'orphan-test')).toEqual([]);
    } finally {
      await orphan.remove({ force: true }).catch(() => undefined);
    }
  });
});
