// npm test: unit, then integration (real processes, Docker, HTTP), then e2e in a real VS Code.
// Each tier that needs an engine or a browser is REQUIRED when AFTERBURNER_REQUIRE_DOCKER=1 /
// AFTERBURNER_REQUIRE_E2E=1 (CI sets both); elsewhere a missing engine or browser is reported as
// skipped with the reason, never silently.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

function run(title, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${title} ===\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

// A CI log is often read from its tail: the summary names each failed test with the first line
// of its error, so a failure far up in a long tier is not lost.
const reportDir = mkdtempSync(join(tmpdir(), 'afterburner-test-report-'));
const failures = [];

function vitestTier(title, project) {
  const report = join(reportDir, `${project}.json`);
  const ok = run(title, 'npx', [
    'vitest',
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  if (!ok) failures.push(...failedTests(project, report));
  return ok;
}

function failedTests(project, report) {
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    return [`${project}: no report was written (the runner itself failed; see above)`];
  }
  const lines = [];
  for (const file of parsed.testResults ?? []) {
    const failed = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const t of failed)
      lines.push(`${project}: ${basename(file.name)} › ${t.fullName}\n       ${firstLine(t.failureMessages?.[0])}`);
    if (failed.length === 0 && file.status === 'failed')
      lines.push(`${project}: ${basename(file.name)}\n       ${firstLine(file.message)}`);
  }
  return lines;
}

// The line that says what was expected, else the first: an assertion given a message (a CLI's
// stderr) puts that message first and "expected 1 to be +0" at its end.
function firstLine(text) {
  const lines = String(text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return (lines.find((l) => /\bexpected\b.*\bto\b/.test(l)) ?? lines[0] ?? '').slice(0, 300);
}

const results = [];
results.push(['typecheck', run('typecheck', 'npm', ['run', 'typecheck', '--silent'])]);
results.push(['lint', run('lint', 'npx', ['eslint', '.']) && run('format', 'npx', ['prettier', '--check', '.'])]);
results.push(['unit', vitestTier('unit tests', 'unit')]);
results.push(['build', run('build', 'npm', ['run', 'build', '--silent'])]);
results.push(['integration', vitestTier('integration tests', 'integration')]);
if (process.env.AFTERBURNER_SKIP_E2E === '1') {
  process.stdout.write('\n=== e2e: skipped (AFTERBURNER_SKIP_E2E=1) ===\n');
} else {
  results.push(['e2e', run('e2e in a real VS Code', 'node', ['test/e2e/run.mjs'])]);
}
process.stdout.write('\n=== summary ===\n');
for (const [name, ok] of results) process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}\n`);
for (const line of failures) process.stdout.write(`  failed: ${line}\n`);
rmSync(reportDir, { recursive: true, force: true });
const failedTiers = results.filter(([, ok]) => !ok).length;
process.stdout.write(`tiers: ${results.length - failedTiers} passed, ${failedTiers} failed\n`);
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
