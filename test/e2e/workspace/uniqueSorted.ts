// Distinct values in ascending order: correct, but `includes` makes it quadratic.
export function uniqueSorted(values: readonly number[]): number[] {
  const result: number[] = [];
  for (const value of values) {
    if (!result.includes(value)) result.push(value);
  }
  return result.sort((a, b) => a - b);
}
