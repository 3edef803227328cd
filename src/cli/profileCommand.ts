import { EXIT_USAGE } from './exitCodes';

export async function runProfile(_argv: string[]): Promise<number> {
  process.stderr.write("afterburner profile: not built yet.\n");
  return EXIT_USAGE;
}
