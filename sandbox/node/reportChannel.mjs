// Keeps the report channel (fd 1) clean: user code writing to process.stdout / console is caught
// and only its last 4 KB are kept, replayed to stderr at the end for diagnostics. The report is
// written last, with fs.writeSync, straight to fd 1.
import fs from 'node:fs';

export const REPORT_MARKER = '@@AFTERBURNER_REPORT@@';
const TAIL_BYTES = 4096;
let tail = '';

export function keepOutput(text) {
  tail = (tail + text).slice(-TAIL_BYTES);
}

export function captureUserOutput() {
  const capture = (chunk, encoding, callback) => {
    keepOutput(
      typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8'),
    );
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done);
    return true;
  };
  process.stdout.write = capture;
}

function writeAll(fd, text) {
  const buf = Buffer.from(text, 'utf8');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 2); // a full non-blocking pipe: wait for the reader
    }
  }
}

/** Writes the captured output tail to stderr, then the marker and report to fd 1, then exits 0. */
export function sendReportAndExit(report) {
  try {
    if (tail) writeAll(2, `[program output, last ${TAIL_BYTES} bytes]\n${tail}\n`);
  } catch {
    // stderr closed: the report still matters more.
  }
  writeAll(1, `\n${REPORT_MARKER}${JSON.stringify(report)}\n`);
  process.exit(0);
}
