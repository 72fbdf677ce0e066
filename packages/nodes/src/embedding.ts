import { formatShape, ShapeError, type Tensor } from '@graphgrad/core';
import { GatherNode, requireIndices } from './gather.ts';
import { indexOutside, requireFloat } from './validate.ts';

/**
 * The book's Embedding: the rows of `weights` ([vocabulary, dim]) for int32 `ids` of any shape,
 * `W[ids]`, of shape `[...ids.shape, dim]` (a gather along axis 0). Its backward adds each row's
 * gradient into the row of `weights` it came from, repeated ids adding up (the book's
 * `np.add.at(dW, idx, dout)`), at the cost of the rows picked: the rows of the vocabulary no id
 * names cost nothing.
 *
 * @example
 * const W = randn([10000, 100], { std: 0.01, requiresGrad: true });
 * const h = embedding(W, tensor([[3, 9, 3]], { dtype: 'int32' })); // [1, 3, 100]
 */
export function embedding(weights: Tensor, ids: Tensor): Tensor {
  requireFloat('embedding', weights, 'weights');
  requireIndices('embedding', ids, 'ids');
  if (weights.rank !== 2) {
    throw new ShapeError(`embedding: weights must be [vocabulary, dim], got ${formatShape(weights.shape)}`);
  }
  const bad = indexOutside(ids, weights.shape[0]);
  if (bad !== undefined) {
    throw new ShapeError(`embedding: id ${bad} is outside the vocabulary of ${weights.shape[0]} rows`);
  }
  return GatherNode.apply([weights, ids], { axis: 0 });
}
