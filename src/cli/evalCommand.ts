import { EXIT_USAGE } from './exitCodes';

export async function runEval(_argv: string[]): Promise<number> {
  process.stderr.write("afterburner eval: not built yet.\n");
  return EXIT_USAGE;
}
