// npm test: unit, then integration (real processes, Docker, HTTP), then e2e in a real VS Code.
// Each tier that needs an engine or a browser is REQUIRED when AFTERBURNER_REQUIRE_DOCKER=1 /
// AFTERBURNER_REQUIRE_E2E=1 (CI sets both); elsewhere a missing engine or browser is reported as
// skipped with the reason, never silently.
import { spawnSync } from 'node:child_process';

function run(title, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${title} ===\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

const results = [];
results.push(['typecheck', run('typecheck', 'npm', ['run', 'typecheck', '--silent'])]);
results.push(['lint', run('lint', 'npx', ['eslint', '.']) && run('format', 'npx', ['prettier', '--check', '.'])]);
results.push(['unit', run('unit tests', 'npx', ['vitest', 'run', '--project', 'unit'])]);
results.push(['build', run('build', 'npm', ['run', 'build', '--silent'])]);
results.push(['integration', run('integration tests', 'npx', ['vitest', 'run', '--project', 'integration'])]);
if (process.env.AFTERBURNER_SKIP_E2E === '1') {
  process.stdout.write('\n=== e2e: skipped (AFTERBURNER_SKIP_E2E=1) ===\n');
} else {
  results.push(['e2e', run('e2e in a real VS Code', 'node', ['test/e2e/run.mjs'])]);
}
process.stdout.write('\n=== summary ===\n');
for (const [name, ok] of results) process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}\n`);
const failedTiers = results.filter(([, ok]) => !ok).length;
process.stdout.write(`tiers: ${results.length - failedTiers} passed, ${failedTiers} failed\n`);
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
