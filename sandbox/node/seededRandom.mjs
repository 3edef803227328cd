// Math.random replaced by a seeded PRNG (mulberry32) so tests and every replay round see the same
// random numbers; reseeding is a few integer stores, cheap enough to do inside a timed round.

let state = 0;

function mulberry32() {
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

let seedValue = 0;

export function installSeededRandom(seed) {
  seedValue = Number.isFinite(seed) ? seed | 0 : 0;
  state = seedValue;
  Math.random = mulberry32;
}

export function reseed() {
  state = seedValue;
}
