import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The harness's sandbox/node/taggedJson.mjs (plain JavaScript, no declarations). */
interface TaggedJsonModule {
  encode(value: unknown, strict?: boolean): unknown;
  NotCopyable: new (message: string) => Error;
}

const taggedJson = import(
  pathToFileURL(path.resolve(__dirname, '../../sandbox/node/taggedJson.mjs')).href
) as Promise<TaggedJsonModule>;

describe('what a recorded call may hold', () => {
  it('refuses an input whose data sits under a Symbol key: a copy without it would be another call', async () => {
    const { encode, NotCopyable } = await taggedJson;
    const iterable = {
      *[Symbol.iterator]() {
        yield 1;
      },
    };
    expect(() => encode([iterable])).toThrow(NotCopyable);
    expect(() => encode([iterable])).toThrow('a property keyed by Symbol(Symbol.iterator)');
    // A result is only compared, never rebuilt: it is kept as far as it goes.
    expect(() => encode(iterable, false)).not.toThrow();
  });

  it('copies plain data and names a function it cannot copy', async () => {
    const { encode } = await taggedJson;
    expect(encode({ a: [1, 'x', null] })).toMatchObject({ $t: 'o', v: [['a', { $t: 'a', v: [1, 'x', null] }]] });
    expect(() => encode([() => 0])).toThrow('a function (anonymous)');
  });
});
