import { describe, expect, it } from 'vitest';
import { capturedText, createOutputCapture } from '../../src/adapters/outputCapture';

describe('output capture', () => {
  it('keeps everything while the output is small', () => {
    const capture = createOutputCapture(8, 16);
    capture.push(Buffer.from('hello '));
    capture.push(Buffer.from('world'));
    const out = capture.result();
    expect(out.head + out.tail).toBe('hello world');
    expect(out.droppedBytes).toBe(0);
    expect(capturedText(out)).toBe('hello world');
  });

  it('keeps the first and the last bytes of a flood and counts the rest', () => {
    const capture = createOutputCapture(4, 10);
    capture.push(Buffer.from('HEAD'));
    for (let i = 0; i < 1000; i++) capture.push(Buffer.from('xxxxxxxxxx'));
    capture.push(Buffer.from('the-end!'));
    const out = capture.result();
    expect(out.head).toBe('HEAD');
    expect(out.tail).toBe('xxthe-end!');
    expect(out.totalBytes).toBe(4 + 10_000 + 8);
    expect(out.droppedBytes).toBe(out.totalBytes - 4 - 10);
    expect(capturedText(out)).toContain(`[${out.droppedBytes} bytes of output dropped]`);
  });

  it('splits a chunk that straddles the head limit', () => {
    const capture = createOutputCapture(3, 100);
    capture.push(Buffer.from('abcdef'));
    const out = capture.result();
    expect(out.head).toBe('abc');
    expect(out.tail).toBe('def');
  });
});
