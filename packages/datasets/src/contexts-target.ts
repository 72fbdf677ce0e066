import { ArgumentError, describeValue } from '@graphgrad/core';
import type { ShapedArray } from './shaped-array.ts';
import { requireCorpus } from './arguments.ts';

/** The training pairs of a CBOW model: each target word and the words around it. */
export interface ContextsTarget {
  /** The context ids of each target, [targets, 2·windowSize]: the words before it, then after it. */
  readonly contexts: ShapedArray<Int32Array>;
  /** The target ids: the corpus without its first and last `windowSize` words. */
  readonly target: Int32Array;
}

/**
 * The book's `create_contexts_target` (chapter 3): for every word at least `windowSize` words from
 * either end of the corpus, the word as a target and the `windowSize` words on each side of it as
 * its contexts, in corpus order.
 *
 * @example
 * const { contexts, target } = createContextsTarget(Int32Array.from([0, 1, 2, 3, 4, 1, 5, 6]), 1);
 * contexts.data; // Int32Array [0, 2, 1, 3, 2, 4, 3, 1, 4, 5, 1, 6]  (shape [6, 2])
 * target; // Int32Array [1, 2, 3, 4, 1, 5]
 */
export function createContextsTarget(corpus: Int32Array, windowSize = 1): ContextsTarget {
  requireCorpus('createContextsTarget', corpus);
  if (!Number.isInteger(windowSize) || windowSize < 1)
    throw new ArgumentError(
      `createContextsTarget: windowSize must be a positive integer, got ${describeValue(windowSize)}`,
    );
  const count = Math.max(0, corpus.length - 2 * windowSize);
  const width = 2 * windowSize;
  const contexts = new Int32Array(count * width);
  for (let n = 0; n < count; n++) {
    const center = n + windowSize;
    contexts.set(corpus.subarray(center - windowSize, center), n * width);
    contexts.set(corpus.subarray(center + 1, center + windowSize + 1), n * width + windowSize);
  }
  return {
    contexts: { data: contexts, shape: [count, width] },
    target: corpus.slice(windowSize, windowSize + count),
  };
}
