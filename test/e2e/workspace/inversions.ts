// Pairs out of order: correct, but it compares every pair.
export function countInversions(values: readonly number[]): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) {
      if ((values[i] ?? 0) > (values[j] ?? 0)) count++;
    }
  }
  return count;
}
