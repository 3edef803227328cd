// The `afterburner` command: one verb per module, all on the same core as the extension.
import { runDoctor } from './doctorCommand';
import { runEval } from './evalCommand';
import { runExport } from './exportCommand';
import { runHotspots } from './hotspotsCommand';
import { runImages } from './imagesCommand';
import { runOptimize } from './optimizeCommand';
import { runProfile } from './profileCommand';
import { EXIT_USAGE } from './exitCodes';
import { errorDetail } from '../core/errorMessage';

const verbs: Record<string, (argv: string[]) => Promise<number>> = {
  profile: runProfile,
  optimize: runOptimize,
  eval: runEval,
  images: runImages,
  doctor: runDoctor,
  export: runExport,
  hotspots: runHotspots,
};

const usage = `afterburner — make a function faster with evidence

Usage:
  afterburner profile FILE --function NAME [--tests PATH]... [--sandbox auto|docker|local]
                         [--timeout SECONDS] [--memory MB] [--sizes N,N,...] [--json]
  afterburner optimize FILE --function NAME [--tests PATH]... [--iterations N] [--candidates K]
                         [--goal time|memory|integral] [--base-url URL] [--model NAME]
                         [--sandbox ...] [--timeout S] [--memory MB] [--json] [--write]
  afterburner eval PROBLEMS.jsonl [--answers ANSWERS.jsonl | --optimize] [--workers N] [--json]
  afterburner images [--base IMAGE]
  afterburner doctor [--json]
  afterburner export --format sft|dpo [--from HISTORY]
  afterburner hotspots [DIR] [--tests PATH]... [--top N] [--sandbox ...] [--json]

The API key comes from AFTERBURNER_API_KEY or OPENAI_API_KEY. Run 'afterburner VERB --help' for details.
Exit codes: 0 done, 1 the code under test failed or nothing improved, 2 bad usage or input.`;

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(usage + '\n');
    return verb === undefined ? EXIT_USAGE : 0;
  }
  const run = verbs[verb];
  if (!run) {
    process.stderr.write(`afterburner: unknown command '${verb}'.\n\n${usage}\n`);
    return EXIT_USAGE;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`afterburner: ${errorDetail(err)}\n`);
    process.exitCode = EXIT_USAGE;
  },
);
