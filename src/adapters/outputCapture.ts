/**
 * Bounded capture of a sandboxed process's stdout or stderr. Untrusted code may print without
 * end; we keep the first `headBytes` (where a crash usually explains itself) and a rolling window
 * of the last `tailBytes` (where the harness prints its report), and only count the rest.
 */

export const DEFAULT_HEAD_BYTES = 64 * 1024;
export const DEFAULT_TAIL_BYTES = 1024 * 1024;

export interface CapturedOutput {
  /** The first bytes, decoded as UTF-8. */
  readonly head: string;
  /** The last bytes (after the head, never overlapping it), decoded as UTF-8. */
  readonly tail: string;
  /** Bytes that were neither in the head nor in the tail. */
  readonly droppedBytes: number;
  readonly totalBytes: number;
}

export interface OutputCapture {
  push(chunk: Buffer): void;
  result(): CapturedOutput;
}

export function createOutputCapture(headBytes = DEFAULT_HEAD_BYTES, tailBytes = DEFAULT_TAIL_BYTES): OutputCapture {
  const head: Buffer[] = [];
  let headLength = 0;
  // The tail is a list of chunks whose total stays within 2 × tailBytes; it is trimmed exactly on read.
  let tail: Buffer[] = [];
  let tailLength = 0;
  let total = 0;
  let dropped = 0;

  function pushTail(chunk: Buffer): void {
    tail.push(chunk);
    tailLength += chunk.length;
    if (tailLength <= 2 * tailBytes) return;
    const joined = Buffer.concat(tail);
    const keep = joined.subarray(joined.length - tailBytes);
    dropped += joined.length - keep.length;
    tail = [Buffer.from(keep)];
    tailLength = keep.length;
  }

  return {
    push(chunk) {
      total += chunk.length;
      const room = headBytes - headLength;
      if (room > 0) {
        const part = chunk.subarray(0, room);
        head.push(part);
        headLength += part.length;
        chunk = chunk.subarray(part.length);
      }
      if (chunk.length > 0) pushTail(chunk);
    },
    result() {
      const joined = Buffer.concat(tail);
      const keep = joined.length > tailBytes ? joined.subarray(joined.length - tailBytes) : joined;
      return {
        head: Buffer.concat(head).toString('utf8'),
        tail: keep.toString('utf8'),
        droppedBytes: dropped + (joined.length - keep.length),
        totalBytes: total,
      };
    },
  };
}

/** Head and tail joined for display, with a note where bytes were dropped. */
export function capturedText(output: CapturedOutput): string {
  if (output.droppedBytes === 0) return output.head + output.tail;
  return `${output.head}\n… [${output.droppedBytes} bytes of output dropped] …\n${output.tail}`;
}
