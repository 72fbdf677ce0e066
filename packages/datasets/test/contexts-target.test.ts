import { ArgumentError, tensor } from '@graphgrad/core';
import { describe, expect, it } from 'vitest';
import { convertOneHot, createContextsTarget, preprocess } from '../src/index.ts';

const { corpus } = preprocess('You say goodbye and I say hello.');

describe('createContextsTarget', () => {
  it("gives the book's contexts and targets for window 1", () => {
    const { contexts, target } = createContextsTarget(corpus, 1);
    expect(contexts.shape).toEqual([6, 2]);
    expect(contexts.data).toEqual(Int32Array.from([0, 2, 1, 3, 2, 4, 3, 1, 4, 5, 1, 6]));
    expect(target).toEqual(Int32Array.from([1, 2, 3, 4, 1, 5]));
  });

  it('puts the words before the target first, then those after it, for wider windows', () => {
    const { contexts, target } = createContextsTarget(corpus, 2);
    expect(contexts.shape).toEqual([4, 4]);
    expect(contexts.data).toEqual(Int32Array.from([0, 1, 3, 4, 1, 2, 4, 1, 2, 3, 1, 5, 3, 4, 5, 6]));
    expect(target).toEqual(Int32Array.from([2, 3, 4, 1]));
  });

  it('gives no pairs for a corpus shorter than a window, and rejects a window that is not positive', () => {
    const { contexts, target } = createContextsTarget(Int32Array.from([0, 1]), 1);
    expect(contexts.shape).toEqual([0, 2]);
    expect(target.length).toBe(0);
    expect(() => createContextsTarget(corpus, 0)).toThrow(ArgumentError);
  });
});

describe('convertOneHot', () => {
  it('makes [N] ids [N, V] and [N, C] contexts [N, C, V], as in the book', () => {
    const { contexts, target } = createContextsTarget(corpus, 1);
    const t = convertOneHot(target, 7);
    expect(t.shape).toEqual([6, 7]);
    expect(Array.from(t.data.subarray(0, 7))).toEqual([0, 1, 0, 0, 0, 0, 0]);
    const c = convertOneHot(contexts, 7);
    expect(c.shape).toEqual([6, 2, 7]);
    // contexts[5] = [1, 6]
    expect(Array.from(c.data.subarray(5 * 14, 6 * 14))).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(convertOneHot(Int32Array.from([1, 0]), 3).data).toEqual(Int32Array.from([0, 1, 0, 1, 0, 0]));
  });

  it('is a tensor in one call, for the matrix product of the simple CBOW', async () => {
    const t = convertOneHot(createContextsTarget(corpus, 1).target, 7);
    const x = tensor(t.data, { shape: t.shape, dtype: 'float32' });
    expect(x.shape).toEqual([6, 7]);
    expect(Array.from((await x.data()).subarray(7, 14))).toEqual([0, 0, 1, 0, 0, 0, 0]);
  });

  it('names an id outside the vocabulary', () => {
    expect(() => convertOneHot(Int32Array.from([0, 7]), 7)).toThrow(
      'convertOneHot: ids[1] is 7, expected an id in [0, 7)',
    );
  });
});
