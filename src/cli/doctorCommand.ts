import { EXIT_USAGE } from './exitCodes';

export async function runDoctor(_argv: string[]): Promise<number> {
  process.stderr.write("afterburner doctor: not built yet.\n");
  return EXIT_USAGE;
}
