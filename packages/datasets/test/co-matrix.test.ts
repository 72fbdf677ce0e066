import { ArgumentError, ShapeError } from '@graphgrad/core';
import { describe, expect, it } from 'vitest';
import { createCoMatrix, ppmi, preprocess } from '../src/index.ts';

const { corpus, idToWord } = preprocess('You say goodbye and I say hello.');

describe('createCoMatrix', () => {
  it("gives the book's co-occurrence matrix for window 1", () => {
    const C = createCoMatrix(corpus, idToWord.length);
    expect(C.shape).toEqual([7, 7]);
    // prettier-ignore
    expect(C.data).toEqual(Int32Array.from([
      0, 1, 0, 0, 0, 0, 0,
      1, 0, 1, 0, 1, 1, 0,
      0, 1, 0, 1, 0, 0, 0,
      0, 0, 1, 0, 1, 0, 0,
      0, 1, 0, 1, 0, 0, 0,
      0, 1, 0, 0, 0, 0, 1,
      0, 0, 0, 0, 0, 1, 0,
    ]));
  });

  it('counts every word within the window for window 2', () => {
    // prettier-ignore
    expect(createCoMatrix(corpus, 7, 2).data).toEqual(Int32Array.from([
      0, 1, 1, 0, 0, 0, 0,
      1, 0, 1, 2, 1, 1, 1,
      1, 1, 0, 1, 1, 0, 0,
      0, 2, 1, 0, 1, 0, 0,
      0, 1, 1, 1, 0, 1, 0,
      0, 1, 0, 0, 1, 0, 1,
      0, 1, 0, 0, 0, 1, 0,
    ]));
  });

  it('names an id outside the vocabulary and a window that is not positive', () => {
    expect(() => createCoMatrix(corpus, 6)).toThrow('createCoMatrix: corpus[7] is 6, expected an id in [0, 6)');
    expect(() => createCoMatrix(corpus, 7, 0)).toThrow(ArgumentError);
  });
});

describe('ppmi', () => {
  it("gives the book's PPMI matrix (float32)", () => {
    const M = ppmi(createCoMatrix(corpus, 7));
    expect(M.shape).toEqual([7, 7]);
    expect(M.data).toBeInstanceOf(Float32Array);
    // N = 14 and the column sums are [1, 4, 2, 2, 2, 2, 1]: (you, say) is log2(1·14 / (1·4)) = log2 3.5;
    // the book prints 1.807, 0.807 and 2.807.
    const [a, b, c] = [Math.log2(3.5), Math.log2(1.75), Math.log2(7)];
    // prettier-ignore
    const expected = [
      0, a, 0, 0, 0, 0, 0,
      a, 0, b, 0, b, b, 0,
      0, b, 0, a, 0, 0, 0,
      0, 0, a, 0, a, 0, 0,
      0, b, 0, a, 0, 0, 0,
      0, b, 0, 0, 0, 0, c,
      0, 0, 0, 0, 0, c, 0,
    ];
    expect(a).toBeCloseTo(1.807355, 6);
    M.data.forEach((value, i) => expect(value, `entry ${i}`).toBeCloseTo(expected[i], 6));
  });

  it('gives 0 for a word that co-occurs with nothing, where the book divides 0 by 0', () => {
    const M = ppmi({ data: Int32Array.from([0, 1, 0, 1, 0, 0, 0, 0, 0]), shape: [3, 3] });
    expect(Array.from(M.data)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('names a matrix that is not square', () => {
    expect(() => ppmi({ data: new Float32Array(6), shape: [2, 3] })).toThrow(ShapeError);
    expect(() => ppmi({ data: new Float32Array(6), shape: [2, 3] })).toThrow(
      'ppmi: coMatrix must be a square matrix [V, V] holding V·V values, got shape [2, 3] with 6 values',
    );
  });
});
