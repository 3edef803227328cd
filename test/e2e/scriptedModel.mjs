// The language model of the end-to-end run: the project's scripted OpenAI-compatible server
// (test/support/scriptedOpenAiServer.ts), bundled on the fly and run inside this process. Each
// scenario queues the replies its run will ask for.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER_SOURCE = path.join(here, '..', 'support', 'scriptedOpenAiServer.ts');

/** The key the extension host finds in its environment; the server sees it as a bearer token. */
export const E2E_API_KEY = 'sk-e2e-scripted';
export const E2E_MODEL = 'scripted-model';

export async function startScriptedModel() {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'afterburner-e2e-model-'));
  const bundle = path.join(scratch, 'scriptedOpenAiServer.mjs');
  try {
    await esbuild.build({
      entryPoints: [SERVER_SOURCE],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      logLevel: 'error',
    });
    const module = await import(pathToFileURL(bundle).href);
    const server = await module.startScriptedOpenAiServer({ models: [E2E_MODEL] });
    return {
      server,
      replies: module.replies,
      /** User settings that point the extension at this server. */
      settings: {
        'afterburner.llm.provider': 'openai-compatible',
        'afterburner.llm.baseUrl': server.baseUrl,
        'afterburner.llm.model': E2E_MODEL,
      },
      env: { AFTERBURNER_API_KEY: E2E_API_KEY, OPENAI_API_KEY: '' },
      /** Chat requests received so far. */
      chatRequests: () => server.received.filter((r) => r.path.includes('/chat/completions')),
      stop: async () => {
        await server.close();
        rmSync(scratch, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
}
