import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The harness's sandbox/node/taggedJson.mjs (plain JavaScript, no declarations). */
interface TaggedJsonModule {
  encode(value: unknown, strict?: boolean): unknown;
  decode(tree: unknown): unknown;
  classCopy(name: string): { b?: string } | undefined;
  rebuiltClass(copy: unknown, classes: (name: string) => unknown): unknown;
  NotCopyable: new (message: string) => Error;
  difference(expected: unknown, actual: unknown): string | undefined;
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

  it('copies plain data', async () => {
    const { encode } = await taggedJson;
    expect(encode({ a: [1, 'x', null] })).toMatchObject({ $t: 'o', v: [['a', { $t: 'a', v: [1, 'x', null] }]] });
  });

  it('copies a function as what rebuilds it: a built-in by its path, any other by its source', async () => {
    const { encode, decode } = await taggedJson;
    const key = (x: number) => x * 2;
    const shorthand = {
      twice(x: number) {
        return x * 2;
      },
    };
    const tree = encode([key, Math.max, String, shorthand.twice, key]);
    expect(tree).toMatchObject({
      v: [
        { $t: 'fs', n: 'key' },
        { $t: 'fg', p: 'Math.max' },
        { $t: 'fg', p: 'String' },
        { $t: 'fs', n: 'twice' },
        { $t: 'ref' },
      ],
    });
    const [k, max, str, twice, again] = decode(tree) as [
      (x: number) => number,
      (...xs: number[]) => number,
      StringConstructor,
      (x: number) => number,
      unknown,
    ];
    expect(k(21)).toBe(42);
    expect(max(1, 3)).toBe(3);
    expect(str).toBe(String);
    expect(twice(4)).toBe(8);
    // One function passed twice is one function again.
    expect(again).toBe(k);
    // A function of the user's that a built-in's name fits is still the user's.
    const parseInt = (text: string) => text.length;
    expect(encode([parseInt])).toMatchObject({ v: [{ $t: 'fs', n: 'parseInt' }] });
  });

  it('copies the variables a function reads around it and a bound function by its parts', async () => {
    const { encode, decode } = await taggedJson;
    const scaleBy = (k: number) => (x: number) => x * k + offset.by;
    const offset = { by: 1 };
    const countdown = (n: number): number => (n > 0 ? countdown(n - 1) : 7);
    const scale = function scale(this: { f: number }, x: number, y: number) {
      return x * this.f + y;
    };
    const tree = encode([scaleBy(3), countdown, scale.bind({ f: 2 }, 5)]);
    // The originals change after the copy: the copy keeps what they held then.
    offset.by = 100;
    const [scaled, count, bound] = decode(tree) as [
      (x: number) => number,
      (n: number) => number,
      (y: number) => number,
    ];
    expect(scaled(2)).toBe(7);
    // Closures of one source over other values stay apart, within a copy and across copies.
    const [byTwo, byFive] = decode(encode([scaleBy(2), scaleBy(5)])) as [(x: number) => number, (x: number) => number];
    const [byThree] = decode(encode([scaleBy(3)])) as [(x: number) => number];
    expect([byTwo(1), byFive(1), byThree(1), byTwo(1)]).toEqual([102, 105, 103, 102]);
    // A function that reads itself (an arrow that recurses through its variable) is one function again.
    expect(count(3)).toBe(7);
    expect(bound(1)).toBe(11);
    // A variable that cannot be copied is left unbound: reading it fails, as the replay check then says.
    const seen = new WeakSet<object>();
    const tracked = (o: object) => seen.has(o);
    expect(() => (decode(encode([tracked])) as [(o: object) => boolean])[0]({})).toThrow('seen is not defined');
  });

  it('copies a class with the class it extends', async () => {
    const { encode, decode } = await taggedJson;
    class Base {
      constructor(readonly v: number) {}
      twice() {
        return this.v * 2;
      }
    }
    class Point extends Base {
      static origin() {
        return new Point(0);
      }
    }
    const [Copy] = decode(encode([Point])) as [typeof Point];
    expect(Copy).not.toBe(Point);
    expect(new Copy(3).twice()).toBe(6);
    expect(Copy.origin()).toBeInstanceOf(Copy);
  });

  it('copies a constructor function with its prototype members, its parent found by name', async () => {
    const { encode, classCopy, rebuiltClass } = await taggedJson;
    const { Shape, Square } = createRequire(__filename)('../fixtures/js/constructorClasses.cjs') as {
      Shape: new (size: number) => { twice(): number };
      Square: new (size: number) => { twice(): number; area: number };
    };
    encode([new Square(3)]);
    const copy = classCopy('Square');
    expect(copy?.b).toBe('Shape');
    const Copy = rebuiltClass(copy, (name) => (name === 'Shape' ? Shape : undefined)) as typeof Square;
    expect(Copy).not.toBe(Square);
    const square = new Copy(3);
    expect([square.twice(), square.area, square instanceof Shape]).toEqual([6, 9, true]);
  });

  it('refuses what cannot be rebuilt and names only what a result holds', async () => {
    const { encode } = await taggedJson;
    expect(() => encode([new WeakMap()])).toThrow('a WeakMap');
    const bound = function scale(this: { f: number }, x: number) {
      return x * this.f;
    }.bind({ f: 2 });
    // A result is only compared: a function there is named, never rebuilt.
    expect(encode(bound, false)).toEqual({ $t: 'f', n: 'bound scale' });
  });

  it('copies within a budget: a variable reaching a large graph stays unbound, an input past it is too large', async () => {
    const { encode, decode, NotCopyable } = await taggedJson;
    // A listener that calls a runner's `done`, which reaches the whole runner through its variables.
    const runner = { tests: Array.from({ length: 30_000 }, (_, i) => ({ title: `test ${i}`, state: 'passed' })) };
    const done = () => runner.tests.length;
    let heard = 0;
    const listener = (n: number) => {
      heard += n;
      return heard > 1_000_000 ? done() : heard;
    };
    const started = performance.now();
    const [copy] = decode(encode([listener])) as [(n: number) => number];
    // Left unbound, the large variable is not walked: the copy of the rest is quick.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(copy(2)).toBe(2);
    expect(() => copy(2_000_000)).toThrow('done is not defined');
    // An input itself past the budget is refused as too large, not copied for seconds.
    const huge = Array.from({ length: 100_000 }, (_, i) => ({ i, half: i / 2 }));
    expect(() => encode([huge])).toThrow(NotCopyable);
    expect(() => encode([huge])).toThrow(/too large to copy/);
    // A result is compared, not rebuilt: it has the same budget.
    expect(() => encode(huge, false)).toThrow(/too large to copy/);
  });

  it('names the kinds where two values of different kinds would preview alike', async () => {
    const { encode, difference } = await taggedJson;
    // An emitter's listener table: an object whose prototype has no constructor, against a plain {}.
    const table = Object.create(Object.create(null) as object) as object;
    expect(difference(encode({ events: table }, false), encode({ events: {} }, false))).toBe(
      '.events (an instance of Object, got a plain object)',
    );
    expect(difference(encode([1, [2]], false), encode([1, new Set([2])], false))).toBe('[1] (an array, got a Set)');
  });
});
