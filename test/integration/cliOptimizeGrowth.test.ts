/**
 * `afterburner optimize` with an input generator beside the tests: after the loop, the original
 * and the best are measured at growing sizes, and the best's explanation says how the growth
 * class changed ("time ≈ n² → n"). Real CLI, local sandbox, scripted OpenAI-compatible server.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, runCli, tempProject } from './cliBuild';
import { replies, startScriptedOpenAiServer, type ScriptedOpenAiServer } from '../support/scriptedOpenAiServer';

const LINEAR = `def equal_pairs(values):
    counts = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return sum(c * (c - 1) // 2 for c in counts.values())`;

let cli: string;
let work: string;
let server: ScriptedOpenAiServer;

beforeAll(async () => {
  cli = await builtCli();
  server = await startScriptedOpenAiServer({ models: ['scripted-coder'] });
  const project = tempProject('afterburner-cli-optimize-growth-');
  work = project.root;
  project.write(
    'pairs.py',
    'def equal_pairs(values):\n    count = 0\n    for i in range(len(values)):\n        for j in range(i + 1, len(values)):\n' +
      '            if values[i] == values[j]:\n                count += 1\n    return count\n',
  );
  project.write(
    'test_pairs.py',
    'from pairs import equal_pairs\n\n\ndef test_pairs():\n    assert equal_pairs([1, 2, 1, 1]) == 3\n    assert equal_pairs(list(range(60)) * 2) == 60\n\n\n' +
      'def afterburner_inputs(size):\n    return ([i % 7 for i in range(size)],)\n',
  );
});

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('afterburner optimize with an input generator', () => {
  it('explains the best by its growth class: time ≈ n² → n', async () => {
    server.enqueue(replies.code('python', LINEAR, 'Counting each value once makes it linear.'));
    const run = await runCli(
      cli,
      [
        'optimize',
        path.join(work, 'pairs.py'),
        '--function',
        'equal_pairs',
        '--sandbox',
        'local',
        '--iterations',
        '1',
        '--candidates',
        '1',
        '--sizes',
        '200,400,800,1600,3200',
        '--json',
      ],
      { AFTERBURNER_BASE_URL: server.baseUrl, AFTERBURNER_MODEL: 'scripted-coder', AFTERBURNER_API_KEY: 'sk-test' },
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe('improved');
    expect(result.growth).toMatch(/^time ≈ n(²|³) → n( log n)?,/);
    expect(result.best.explanation.measured[0]).toBe(result.growth);
    expect(result.best.explanation.model).toBe('Counting each value once makes it linear.');
    // The loop's own checks did not measure sizes: only the two growth runs did.
    expect(run.stderr).toMatch(/growth: measuring the original and the best at sizes 200, 400, 800, 1600, 3200/);
  });
});
