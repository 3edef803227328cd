// Hostile code through the local sandbox with the strongest isolation this machine offers.
// With AFTERBURNER_REQUIRE_BWRAP=1 the suite fails (not skips) when bubblewrap is unusable.
import { mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSandbox } from '../../src/adapters/localSandbox';
import { probeLocalCapabilities } from '../../src/adapters/localIsolation';
import type { HostileContext } from './hostileCases';
import { HOSTILE_CASES, createHostileContext, healthyJob, hostileJob, processesMarkedWith } from './hostileCases';
import { builtCli, runCli } from './cliBuild';

const MARKER = 'afterburner-hostile-';
const capabilities = probeLocalCapabilities();
const required = process.env.AFTERBURNER_REQUIRE_BWRAP === '1';
const skipReason = capabilities.bwrap
  ? undefined
  : `bubblewrap is not usable here (${capabilities.bwrapProblem ?? 'bwrap not installed'})`;
if (skipReason && !required) console.warn(`hostile local suite skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined && !required)('hostile code in the local sandbox', () => {
  const sandbox = createLocalSandbox({ workDirPrefix: MARKER });
  let ctx: HostileContext;

  beforeAll(async () => {
    ctx = await createHostileContext();
  });
  afterAll(async () => {
    await sandbox.dispose();
    await ctx?.close();
  });

  it('runs with bubblewrap namespaces', () => {
    expect(skipReason).toBeUndefined();
    expect(sandbox.describe().isolation).toMatch(/^local: bwrap \(no network/);
  });

  for (const hostile of HOSTILE_CASES) {
    it(`contains: ${hostile.name}`, async () => {
      const freeBefore = statfsSync(tmpdir()).bavail * statfsSync(tmpdir()).bsize;
      const result = await sandbox.run(hostileJob(hostile, ctx));
      const detail = `${result.kind}: ${'message' in result ? result.message : ''}\n${result.output.slice(-1500)}`;
      expect(hostile.expect, detail).toContain(result.kind);
      if (hostile.signal && result.kind === 'crashed') expect(result.signal).toBe(hostile.signal);
      expect(hostile.hostCheck?.(ctx, result)).toBeUndefined();
      expect(processesMarkedWith(MARKER)).toEqual([]);
      // Nothing the code wrote stayed on the host's disk (a margin for the rest of the machine).
      const freeAfter = statfsSync(tmpdir()).bavail * statfsSync(tmpdir()).bsize;
      expect(freeBefore - freeAfter).toBeLessThan(512 * 1024 * 1024);
    });
  }

  it('reports the signal of a segfault and the limit of a timeout', async () => {
    const segfault = HOSTILE_CASES.find((c) => c.name === 'segfault');
    const loop = HOSTILE_CASES.find((c) => c.name === 'infinite loop');
    if (!segfault || !loop) throw new Error('cases missing');
    const crashed = await sandbox.run(hostileJob(segfault, ctx));
    expect(crashed).toMatchObject({ kind: 'crashed', signal: 'SIGSEGV' });
    const timedOut = await sandbox.run(hostileJob(loop, ctx));
    expect(timedOut).toMatchObject({ kind: 'timeout', limitMs: 4000 });
  });

  it('still runs healthy code afterwards, and left no work dirs behind', async () => {
    const result = await sandbox.run(healthyJob());
    expect(result.kind, result.output).toBe('passed');
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith(MARKER))).toEqual([]);
  });

  it('leaves the CLI working: profile of healthy code passes', async () => {
    const cli = await builtCli();
    const dir = mkdtempSync(path.join(tmpdir(), 'afterburner-after-hostile-'));
    try {
      for (const file of healthyJob().files) writeFileSync(path.join(dir, file.path), file.content);
      const run = await runCli(cli, [
        'profile',
        path.join(dir, 'mod.py'),
        '--function',
        'f',
        '--sandbox',
        'local',
        '--json',
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ status: 'passed', sandbox: 'local' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
