import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueSorted } from './uniqueSorted';

test('removes duplicates and sorts', () => {
  assert.deepEqual(uniqueSorted([3, 1, 3, 2, 1]), [1, 2, 3]);
});

test('keeps an empty list empty', () => {
  assert.deepEqual(uniqueSorted([]), []);
});

test('handles a larger input', () => {
  const values = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 1009);
  const result = uniqueSorted(values);
  assert.equal(result.length, 1009);
  assert.ok(result.every((value, i) => i === 0 || (result[i - 1] ?? -1) < value));
});
