import { ArgumentError, describeValue } from '@graphgrad/core';
import type { ShapedArray } from './shaped-array.ts';
import { rankWords, wordId, wordRows, type WordSimilarity } from './word-ranking.ts';

/**
 * The book's `analogy` (chapter 4): "a is to b as c is to ?". The query is b − a + c scaled to
 * length 1; each word scores the dot product of its row of `wordMatrix` with it (the book's
 * measure: cosine similarity when the rows have length 1). Returns the `top` words, most similar
 * first, leaving out a, b and c. A word outside the vocabulary is an `ArgumentError`.
 *
 * @example
 * const idToWord = ['man', 'king', 'woman', 'queen'];
 * const wordToId = new Map(idToWord.map((word, id) => [word, id]));
 * const vectors = { data: Float32Array.from([1, 0, 1, 1, -1, 0, -0.7, 0.7]), shape: [4, 2] };
 * analogy('man', 'king', 'woman', wordToId, idToWord, vectors, 1); // [{ word: 'queen', similarity: 0.98… }]
 */
export function analogy(
  a: string,
  b: string,
  c: string,
  wordToId: ReadonlyMap<string, number>,
  idToWord: readonly string[],
  wordMatrix: ShapedArray<Float32Array | Float64Array>,
  top = 5,
): WordSimilarity[] {
  if (!Number.isInteger(top) || top < 0)
    throw new ArgumentError(`analogy: top must be a non-negative integer, got ${describeValue(top)}`);
  const rows = wordRows('analogy', idToWord, wordMatrix);
  const [rowA, rowB, rowC] = (
    [
      ['a', a],
      ['b', b],
      ['c', c],
    ] as const
  ).map(([name, word]) => rows[wordId('analogy', name, word, wordToId)]);
  const query = Float64Array.from(rowB, (value, i) => value - rowA[i] + rowC[i]);
  const length = Math.sqrt(query.reduce((sum, value) => sum + value * value, 0));
  // NOTE: b − a + c = 0 has no direction; as in the book, every score is then NaN and none is ranked.
  query.forEach((value, i) => (query[i] = value / length));
  const scores = Float64Array.from(rows, (row) => {
    let dot = 0;
    for (let i = 0; i < row.length; i++) dot += row[i] * query[i];
    return dot;
  });
  return rankWords(scores, idToWord, new Set([a, b, c]), top);
}
