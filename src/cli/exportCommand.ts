import { EXIT_USAGE } from './exitCodes';

export async function runExport(_argv: string[]): Promise<number> {
  process.stderr.write("afterburner export: not built yet.\n");
  return EXIT_USAGE;
}
