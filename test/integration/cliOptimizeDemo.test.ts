/** `npm run demo` (scripts/demo.mjs after a build): honest without a model, the real loop with one. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replies, startScriptedOpenAiServer, type ScriptedOpenAiServer } from '../support/scriptedOpenAiServer';

const repo = path.resolve(__dirname, '../..');

function demo(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AFTERBURNER_|OPENAI_)/.test(k)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'scripts/demo.mjs')], {
      env: { ...clean, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

let server: ScriptedOpenAiServer;
beforeAll(async () => {
  if (!existsSync(path.join(repo, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run npm run build first.');
  server = await startScriptedOpenAiServer();
});
afterAll(async () => {
  await server?.close();
});

describe('npm run demo', () => {
  it('without a model profiles the example and says exactly how to configure one', async () => {
    const run = await demo({});
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/common_items \(python\): passed/);
    expect(run.out).toMatch(/No language model is configured/);
    expect(run.out).toContain('AFTERBURNER_BASE_URL=http://localhost:11434/v1 AFTERBURNER_MODEL=');
    expect(run.out).toContain('AFTERBURNER_API_KEY=');
    expect(run.out).not.toMatch(/iteration 1\//);
  });

  it('with a model runs the optimisation loop on a temporary copy', async () => {
    server.enqueue(
      replies.code(
        'python',
        'def common_items(first, second):\n    wanted = set(second)\n    seen = set()\n    out = []\n    for x in first:\n        if x in wanted and x not in seen:\n            seen.add(x)\n            out.append(x)\n    return out',
      ),
    );
    const run = await demo({
      AFTERBURNER_BASE_URL: server.baseUrl,
      AFTERBURNER_MODEL: 'scripted',
      AFTERBURNER_SANDBOX: 'local',
      AFTERBURNER_DEMO_ITERATIONS: '1',
      AFTERBURNER_DEMO_CANDIDATES: '1',
    });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/iteration 1\/1/);
    expect(run.out).toMatch(/improved: /);
    expect(run.out).toMatch(/the example in the repository is unchanged/);
    expect(server.received.some((r) => r.body?.messages?.some((m) => m.content.includes('ms median per replay')))).toBe(
      true,
    );
  });
});
