import { ArgumentError, describeValue } from '@graphgrad/core';

/**
 * Checks that every id in `ids` is a word of a vocabulary of `vocabSize` words, so a helper that
 * indexes a row per id never writes outside its matrix.
 *
 * @example
 * checkWordIds('createCoMatrix', 'corpus', corpus, 7);
 */
export function checkWordIds(caller: string, name: string, ids: Int32Array, vocabSize: number): void {
  if (!Number.isInteger(vocabSize) || vocabSize < 1)
    throw new ArgumentError(`${caller}: vocabSize must be a positive integer, got ${describeValue(vocabSize)}`);
  ids.forEach((id, position) => {
    if (id < 0 || id >= vocabSize)
      throw new ArgumentError(`${caller}: ${name}[${position}] is ${id}, expected an id in [0, ${vocabSize})`);
  });
}
