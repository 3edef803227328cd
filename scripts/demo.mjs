// npm run demo: the real loop on the bundled example (examples/python-common-items), in a
// temporary copy. With a model configured through the environment it runs `optimize`; without
// one it says how to configure one and runs the profile step only. It never fakes a model.
// Works without Docker: `--sandbox auto` falls back to the local sandbox.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'dist', 'cli.js');
const example = path.join(repo, 'examples', 'python-common-items');
const target = 'common_items';

if (!existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run build` first (npm run demo does it for you).');
  process.exit(2);
}

const env = process.env;
const configured = Boolean(env.AFTERBURNER_MODEL || env.AFTERBURNER_BASE_URL || env.AFTERBURNER_API_KEY);
const work = mkdtempSync(path.join(tmpdir(), 'afterburner-demo-'));
// mkdtemp makes the folder private (0700); the sandbox user (Docker's uid 10001, or nobody) mounts
// the project read-only and must be able to read this copy of the example.
chmodSync(work, 0o755);
cpSync(example, work, { recursive: true });
const file = path.join(work, 'inventory.py');

function say(text) {
  process.stdout.write(`${text}\n`);
}

function cliRun(args) {
  say(`\n$ afterburner ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', env });
  return r.status ?? 1;
}

let code = 0;
try {
  say(`Afterburner demo: ${target} in ${path.relative(repo, example)}/inventory.py (a quadratic list-membership loop)`);
  say(`Working on a temporary copy: ${work}`);
  const profileStatus = cliRun(['profile', file, '--function', target, '--sandbox', env.AFTERBURNER_SANDBOX || 'auto']);
  if (profileStatus !== 0) {
    say('\nThe profile step did not pass; see the messages above.');
    code = profileStatus;
  } else if (!configured) {
    say(`
No language model is configured, so the demo stops after profiling (it never pretends to have one).
To run the whole loop, point it at any OpenAI-compatible endpoint and run it again:

  # a local model with Ollama
  AFTERBURNER_BASE_URL=http://localhost:11434/v1 AFTERBURNER_MODEL=qwen2.5-coder:7b npm run demo

  # OpenAI
  AFTERBURNER_API_KEY=sk-... AFTERBURNER_MODEL=gpt-4o-mini npm run demo

  # Azure OpenAI (the deployment URL; the key goes in the api-key header)
  AFTERBURNER_BASE_URL='https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT?api-version=2024-10-21' \\
  AFTERBURNER_API_KEY=... AFTERBURNER_MODEL=DEPLOYMENT npm run demo

(vLLM: http://HOST:8000/v1, LM Studio: http://localhost:1234/v1.)`);
  } else {
    const before = readFileSync(file, 'utf8');
    const status = cliRun([
      'optimize',
      file,
      '--function',
      target,
      '--sandbox',
      env.AFTERBURNER_SANDBOX || 'auto',
      '--iterations',
      env.AFTERBURNER_DEMO_ITERATIONS || '3',
      '--candidates',
      env.AFTERBURNER_DEMO_CANDIDATES || '2',
      '--write',
    ]);
    const after = readFileSync(file, 'utf8');
    if (after !== before)
      say(`\nThe temporary copy now holds the faster version (${file}); the example in the repository is unchanged.`);
    // 1 means "no improvement": a valid outcome of a demo run.
    code = status === 0 || status === 1 ? 0 : status;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(code);
