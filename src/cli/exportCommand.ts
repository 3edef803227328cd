// `afterburner export --format sft|dpo [--from HISTORY] [--out FILE] [--min-gain X]`: training
// pairs from the local run history (opt-in; local files only). One JSON object per line.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dpoLine, pairsFromRecord, sftLine } from '../core/trainingPairs';
import { DEFAULT_HISTORY_FILE, historyPath, readRunHistory } from '../adapters/runHistory';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exitCodes';

export const EXPORT_USAGE = `afterburner export --format sft|dpo [--from HISTORY] [--out FILE] [--min-gain X]

Emits (slower, faster) pairs of code that both passed, from the runs recorded in the local history
(AFTERBURNER_HISTORY=path, or ${DEFAULT_HISTORY_FILE} in the workspace). Pairs are made within one
run only, on that run's goal, and only when the gain is beyond measurement noise.
  sft: {"prompt", "completion", "gain"}      dpo: {"prompt", "chosen", "rejected", "gain"}
gain = slower / faster on the goal metric. Output goes to stdout unless --out is given.`;

export async function runExport(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        format: { type: 'string' },
        from: { type: 'string' },
        out: { type: 'string' },
        'min-gain': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`afterburner export: ${(err as Error).message}\n\n${EXPORT_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (values.help) {
    process.stdout.write(EXPORT_USAGE + '\n');
    return EXIT_OK;
  }
  const format = values.format;
  if (format !== 'sft' && format !== 'dpo') {
    process.stderr.write(`afterburner export: --format must be sft or dpo\n\n${EXPORT_USAGE}\n`);
    return EXIT_USAGE;
  }
  const minGain = values['min-gain'] === undefined ? 1.05 : Number(values['min-gain']);
  if (!(minGain >= 1)) {
    process.stderr.write('afterburner export: --min-gain must be a number ≥ 1\n');
    return EXIT_USAGE;
  }
  const from = values.from ? path.resolve(values.from) : historyPath(process.cwd(), process.env, true);
  if (!from) {
    process.stderr.write('afterburner export: AFTERBURNER_HISTORY turns the history off; give --from HISTORY\n');
    return EXIT_USAGE;
  }
  let history;
  try {
    history = await readRunHistory(from);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    process.stderr.write(
      missing
        ? `afterburner export: no run history at ${from}. Runs are recorded only when you opt in: set AFTERBURNER_HISTORY=path (or give --from).\n`
        : `afterburner export: cannot read ${from}: ${(err as Error).message}\n`,
    );
    return EXIT_USAGE;
  }
  for (const s of history.skipped) process.stderr.write(`afterburner export: ${from} ${s} (skipped)\n`);
  const lines = history.records
    .flatMap((record) => pairsFromRecord(record, { minGain }))
    .map((pair) => JSON.stringify(format === 'sft' ? sftLine(pair) : dpoLine(pair)));
  const text = lines.length > 0 ? lines.join('\n') + '\n' : '';
  if (values.out) await writeFile(values.out, text, 'utf8');
  else process.stdout.write(text);
  process.stderr.write(
    `afterburner export: ${lines.length} ${format} pair(s) from ${history.records.length} run(s) in ${from}\n`,
  );
  return lines.length > 0 ? EXIT_OK : EXIT_FAILED;
}
