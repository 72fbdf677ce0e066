import { ArgumentError, ShapeError } from '@graphgrad/core';
import { describe, expect, it } from 'vitest';
import { analogy, cosSimilarity, createCoMatrix, mostSimilar, preprocess, type ShapedArray } from '../src/index.ts';

const { corpus, wordToId, idToWord } = preprocess('You say goodbye and I say hello.');
const C = createCoMatrix(corpus, idToWord.length);
const rows: ShapedArray<Float32Array> = { data: Float32Array.from(C.data), shape: C.shape };
const row = (word: string) => rows.data.subarray(wordToId.get(word)! * 7, (wordToId.get(word)! + 1) * 7);

describe('cosSimilarity', () => {
  it("gives the book's 0.7071067691154799 for 'you' and 'i'", () => {
    expect(cosSimilarity(row('you'), row('i'))).toBeCloseTo(0.7071067691154799, 14);
    expect(cosSimilarity([1, 0], [1, 1])).toBeCloseTo(Math.SQRT1_2, 7);
  });

  it('gives 0 for a zero vector and names vectors of different lengths', () => {
    expect(cosSimilarity([0, 0], [1, 1])).toBe(0);
    expect(() => cosSimilarity([1, 2], [1])).toThrow(ShapeError);
  });
});

describe('mostSimilar', () => {
  it("ranks the book's words for 'you': goodbye, i and hello at 0.707, then say and and at 0", () => {
    const ranked = mostSimilar('you', wordToId, idToWord, rows, 5);
    expect(ranked.map((r) => r.word)).toEqual(['goodbye', 'i', 'hello', 'say', 'and']);
    expect(ranked.slice(0, 3).every((r) => Math.abs(r.similarity - 0.7071067691154799) < 1e-12)).toBe(true);
    expect(ranked.slice(3).map((r) => r.similarity)).toEqual([0, 0]);
  });

  it('leaves the query out, ranks most similar first and takes float64 rows too', () => {
    const ranked = mostSimilar('say', wordToId, idToWord, { data: Float64Array.from(C.data), shape: [7, 7] }, 6);
    expect(ranked).toHaveLength(6);
    expect(ranked.map((r) => r.word)).not.toContain('say');
    for (let i = 1; i < ranked.length; i++)
      expect(ranked[i - 1].similarity).toBeGreaterThanOrEqual(ranked[i].similarity);
    expect(mostSimilar('say', wordToId, idToWord, rows, 2)).toHaveLength(2);
  });

  it('names a query outside the vocabulary and a matrix without a row for every word', () => {
    expect(() => mostSimilar('car', wordToId, idToWord, rows)).toThrow(ArgumentError);
    expect(() => mostSimilar('car', wordToId, idToWord, rows)).toThrow(
      'mostSimilar: query "car" is not in the vocabulary',
    );
    expect(() => mostSimilar('you', wordToId, idToWord, { data: new Float32Array(12), shape: [6, 2] })).toThrow(
      'mostSimilar: wordMatrix must be [7, D] (a row for each of the 7 words) holding its values, got shape [6, 2] with 12 values',
    );
  });
});

describe('analogy', () => {
  const words = ['man', 'king', 'woman', 'queen', 'car'];
  const ids = new Map(words.map((word, id) => [word, id]));
  // king − man + woman = (−1, 1): queen points that way, car elsewhere.
  const vectors = { data: Float32Array.from([1, 0, 1, 1, -1, 0, -0.7, 0.7, 0.1, -1]), shape: [5, 2] };

  it('finds d in "a is to b as c is to d" by the dot product with b − a + c scaled to length 1', () => {
    const ranked = analogy('man', 'king', 'woman', ids, words, vectors, 5);
    expect(ranked.map((r) => r.word)).toEqual(['queen', 'car']);
    expect(ranked[0].similarity).toBeCloseTo(1.4 / Math.SQRT2, 6);
    expect(ranked[1].similarity).toBeCloseTo((-0.1 - 1) / Math.SQRT2, 6);
    expect(analogy('man', 'king', 'woman', ids, words, vectors, 1)).toHaveLength(1);
  });

  it('ranks nothing when b − a + c is zero, and names a word outside the vocabulary', () => {
    const zero = { data: Float32Array.from([1, 0, 1, 0, 0, 0, -0.7, 0.7, 0.1, -1]), shape: [5, 2] };
    expect(analogy('man', 'king', 'woman', ids, words, zero)).toEqual([]);
    expect(() => analogy('man', 'king', 'princess', ids, words, vectors)).toThrow(
      'analogy: c "princess" is not in the vocabulary',
    );
  });
});
