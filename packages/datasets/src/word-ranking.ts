import { ArgumentError, describeValue, ShapeError } from '@graphgrad/core';
import type { ShapedArray } from './shaped-array.ts';

/** A word and its score against a query, as `mostSimilar` and `analogy` rank them. */
export interface WordSimilarity {
  /** The word. */
  readonly word: string;
  /** Its similarity to the query (higher is closer). */
  readonly similarity: number;
}

/** A word matrix's rows (one per word) as views, after checking that it has a row for every word. */
export function wordRows(
  caller: string,
  idToWord: readonly string[],
  wordMatrix: ShapedArray<Float32Array | Float64Array>,
): (Float32Array | Float64Array)[] {
  const { data, shape } = wordMatrix;
  if (shape.length !== 2 || shape[0] !== idToWord.length || data.length !== shape[0] * shape[1])
    throw new ShapeError(
      `${caller}: wordMatrix must be [${idToWord.length}, D] (a row for each of the ${idToWord.length} words) ` +
        `holding its values, got shape [${shape.join(', ')}] with ${data.length} values`,
    );
  const width = shape[1];
  return idToWord.map((_, id) => data.subarray(id * width, (id + 1) * width));
}

/** The id of `word`, or an `ArgumentError` naming the argument when it is not in the vocabulary. */
export function wordId(caller: string, name: string, word: string, wordToId: ReadonlyMap<string, number>): number {
  const id = wordToId.get(word);
  if (id === undefined) throw new ArgumentError(`${caller}: ${name} ${describeValue(word)} is not in the vocabulary`);
  return id;
}

/**
 * The `top` words by descending score, leaving out NaN scores and the words in `skip`; ties keep
 * id order.
 */
export function rankWords(
  scores: Float64Array,
  idToWord: readonly string[],
  skip: ReadonlySet<string>,
  top: number,
): WordSimilarity[] {
  return Array.from(scores.keys())
    .filter((id) => !Number.isNaN(scores[id]) && !skip.has(idToWord[id]))
    .sort((a, b) => scores[b] - scores[a] || a - b)
    .slice(0, top)
    .map((id) => ({ word: idToWord[id], similarity: scores[id] }));
}
