import { EXIT_USAGE } from './exitCodes';

export async function runImages(_argv: string[]): Promise<number> {
  process.stderr.write("afterburner images: not built yet.\n");
  return EXIT_USAGE;
}
