import { describe, expect, it } from 'vitest';
import { formatPerCall } from '../../src/shared/format';

describe('runtime per call and per round', () => {
  it('says both, labelled, in µs below a millisecond and ms above', () => {
    expect(formatPerCall(0.0372, 3)).toBe('12.4 µs per call (3 recorded calls; 37.2 µs per round)');
    expect(formatPerCall(7.5, 3)).toBe('2.50 ms per call (3 recorded calls; 7.50 ms per round)');
    expect(formatPerCall(2.4, 4)).toBe('600 µs per call (4 recorded calls; 2.40 ms per round)');
  });

  it('says one recorded call in the singular', () => {
    expect(formatPerCall(0.5, 1)).toBe('500 µs per call (1 recorded call; 500 µs per round)');
  });

  it('says per round alone when the call count is unknown', () => {
    expect(formatPerCall(1.25, undefined)).toBe('1.25 ms per round of the recorded calls');
    expect(formatPerCall(1.25, 0)).toBe('1.25 ms per round of the recorded calls');
  });

  it('says per run of the tests when the calls were timed in place, no call being recorded', () => {
    expect(formatPerCall(73.6, 2, 'inPlace')).toBe(
      '36.8 ms per call (2 calls timed in place; 73.6 ms per run of the tests)',
    );
    expect(formatPerCall(73.6, undefined, 'inPlace')).toBe('73.6 ms per run of the tests (timed in place)');
  });
});
