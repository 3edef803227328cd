/** Number formatting shared by the panel and the host's messages, so both say the same thing. */

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms === 0) return '0';
  if (ms < 0.001) return `${(ms * 1_000_000).toFixed(0)} ns`;
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}

export function formatKb(kb: number): string {
  if (!Number.isFinite(kb)) return '–';
  if (kb === 0) return '0 kB';
  if (Math.abs(kb) < 1024) return `${kb.toFixed(Math.abs(kb) < 100 ? 1 : 0)} kB`;
  return `${(kb / 1024).toPrecision(3)} MB`;
}

export function formatKbMs(kbMs: number): string {
  if (!Number.isFinite(kbMs)) return '–';
  if (kbMs === 0) return '0 kB·ms';
  if (Math.abs(kbMs) < 10_000) return `${significant(kbMs)} kB·ms`;
  return `${significant(kbMs / 1024 / 1000)} MB·s`;
}

/** Three significant digits without exponent notation (2460, not 2.46e+3). */
function significant(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/**
 * A runtime measured per round of the recorded calls, said per call and per round:
 * "12.4 µs per call (3 recorded calls; 37.2 µs per round)". Without a call count, per round only.
 * With the 'inPlace' basis the "round" is one run of the tests making the calls timed in place.
 */
export function formatPerCall(roundMs: number, calls: number | undefined, basis?: 'inPlace'): string {
  if (basis === 'inPlace') {
    if (calls === undefined || !(calls > 0)) return `${formatMs(roundMs)} per run of the tests (timed in place)`;
    const timed = `${calls} call${calls === 1 ? '' : 's'} timed in place`;
    return `${formatMs(roundMs / calls)} per call (${timed}; ${formatMs(roundMs)} per run of the tests)`;
  }
  if (calls === undefined || !(calls > 0)) return `${formatMs(roundMs)} per round of the recorded calls`;
  const recorded = `${calls} recorded call${calls === 1 ? '' : 's'}`;
  return `${formatMs(roundMs / calls)} per call (${recorded}; ${formatMs(roundMs)} per round)`;
}
