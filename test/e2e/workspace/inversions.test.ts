import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countInversions } from './inversions';

test('a sorted list has none', () => {
  assert.equal(countInversions([1, 2, 3, 4]), 0);
});

test('a reversed list has every pair', () => {
  assert.equal(countInversions([4, 3, 2, 1]), 6);
});

test('counts each pair once', () => {
  assert.equal(countInversions([2, 4, 1, 3, 5]), 3);
});

/** Inputs of a given size for growth profiling: a scrambled permutation. */
export function afterburner_inputs(size: number): [number[]] {
  return [Array.from({ length: size }, (_, i) => (i * 7919) % size)];
}
