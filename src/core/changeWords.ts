/**
 * Ratios in words with the direction in the word. A ratio "> 1 is better" (baseline / candidate)
 * is the right number for JSON but reads backwards for memory: "×0.19 memory" means five times
 * more. People read "peak memory 5.4× higher" or "62 % lower".
 */

/** Changes smaller than this read as "about the same". */
const SAME_WITHIN = 0.02;

/** "2.40× faster", "1.30× slower", "as fast"; `speedup` is original time / candidate time. */
export function speedWords(speedup: number): string {
  if (!Number.isFinite(speedup) || speedup <= 0) return 'speed not measured';
  if (Math.abs(speedup - 1) < SAME_WITHIN) return 'about as fast';
  return speedup > 1 ? `${factor(speedup)} faster` : `${factor(1 / speedup)} slower`;
}

/** "2.40× faster than the original", "about as fast as the original". */
export function speedAgainst(speedup: number, other: string): string {
  const words = speedWords(speedup);
  return words.startsWith('about') ? `${words} as ${other}` : `${words} than ${other}`;
}

/** "peak memory 5.4× higher", "peak memory 62 % lower"; `ratio` is original / candidate. */
export function memoryWords(ratio: number, what = 'peak memory'): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return `${what} not measured`;
  const after = 1 / ratio; // candidate / original
  if (Math.abs(after - 1) < SAME_WITHIN) return `${what} about the same`;
  if (after > 1) return after >= 2 ? `${what} ${factor(after)} higher` : `${what} ${percent(after - 1)} higher`;
  return ratio >= 10 ? `${what} ${factor(ratio)} lower` : `${what} ${percent(1 - after)} lower`;
}

/**
 * "2.40× faster, peak memory 5.4× higher": what a candidate changed against the original, as the
 * panel, the notifications, the CLI and `"summary"` in the JSON say it. Without a memory ratio,
 * the speed alone.
 */
export function changeWords(speedup: number, memoryRatio?: number): string {
  return memoryRatio === undefined ? speedWords(speedup) : `${speedWords(speedup)}, ${memoryWords(memoryRatio)}`;
}

/** "memory-time integral 3.1× lower", in the same words as `memoryWords`. */
export function integralWords(ratio: number): string {
  return memoryWords(ratio, 'memory-time integral');
}

function factor(value: number): string {
  return value >= 10 ? `${Math.round(value)}×` : value >= 2 ? `${value.toFixed(1)}×` : `${value.toFixed(2)}×`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}
