import { ArgumentError, describeValue } from '@graphgrad/core';
import type { ShapedArray } from './shaped-array.ts';
import { checkWordIds } from './word-ids.ts';
import { requireCorpus } from './arguments.ts';

/**
 * The book's `create_co_matrix` (chapter 2): the co-occurrence matrix, [vocabSize, vocabSize],
 * whose entry (w, c) counts how often word c is within `windowSize` words of word w.
 *
 * @example
 * const C = createCoMatrix(Int32Array.from([0, 1, 2, 3, 4, 1, 5, 6]), 7);
 * C.data.subarray(7, 14); // Int32Array [1, 0, 1, 0, 1, 1, 0]  (the row of 'say')
 */
export function createCoMatrix(corpus: Int32Array, vocabSize: number, windowSize = 1): ShapedArray<Int32Array> {
  requireCorpus('createCoMatrix', corpus);
  if (!Number.isInteger(windowSize) || windowSize < 1)
    throw new ArgumentError(`createCoMatrix: windowSize must be a positive integer, got ${describeValue(windowSize)}`);
  checkWordIds('createCoMatrix', 'corpus', corpus, vocabSize);
  const counts = new Int32Array(vocabSize * vocabSize);
  corpus.forEach((word, position) => {
    for (let offset = 1; offset <= windowSize; offset++) {
      if (position - offset >= 0) counts[word * vocabSize + corpus[position - offset]]++;
      if (position + offset < corpus.length) counts[word * vocabSize + corpus[position + offset]]++;
    }
  });
  return { data: counts, shape: [vocabSize, vocabSize] };
}
