import { ArgumentError, describeValue } from '@graphgrad/core';
import { cosSimilarity } from './cos-similarity.ts';
import type { ShapedArray } from './shaped-array.ts';
import { rankWords, wordId, wordRows, type WordSimilarity } from './word-ranking.ts';

/**
 * The book's `most_similar` (chapter 2): the `top` words whose rows of `wordMatrix` (one row per
 * word id) have the highest cosine similarity to the query's row, the query itself left out, most
 * similar first. A query outside the vocabulary is an `ArgumentError`.
 *
 * @example
 * const { corpus, wordToId, idToWord } = preprocess('You say goodbye and I say hello.');
 * const C = createCoMatrix(corpus, idToWord.length);
 * const rows = { data: Float32Array.from(C.data), shape: C.shape };
 * mostSimilar('you', wordToId, idToWord, rows, 2); // [{ word: 'goodbye', similarity: 0.707… }, { word: 'i', … }]
 */
export function mostSimilar(
  query: string,
  wordToId: ReadonlyMap<string, number>,
  idToWord: readonly string[],
  wordMatrix: ShapedArray<Float32Array | Float64Array>,
  top = 5,
): WordSimilarity[] {
  if (!Number.isInteger(top) || top < 0)
    throw new ArgumentError(`mostSimilar: top must be a non-negative integer, got ${describeValue(top)}`);
  const rows = wordRows('mostSimilar', idToWord, wordMatrix);
  const queryRow = rows[wordId('mostSimilar', 'query', query, wordToId)];
  const scores = Float64Array.from(rows, (row) => cosSimilarity(row, queryRow));
  return rankWords(scores, idToWord, new Set([query]), top);
}
