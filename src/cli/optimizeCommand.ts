import { EXIT_USAGE } from './exitCodes';

export async function runOptimize(_argv: string[]): Promise<number> {
  process.stderr.write("afterburner optimize: not built yet.\n");
  return EXIT_USAGE;
}
