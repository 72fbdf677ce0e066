import { DTypeError, defineNode, formatShape, ShapeError, type Tensor } from '@graphgrad/core';
import { matmul } from './matmul.ts';
import { oneHot } from './one-hot.ts';
import { reshape } from './reshape.ts';
import { indexOutside } from './validate.ts';

/** The Gather node: rows of `x` picked by int32 indices. */
export const GatherNode = defineNode({
  kind: 'Gather',
  inputs: ['x', 'indices'],
  differentiable: [true, false],
  forward: (k, [x, indices]) => k.Gather(x, indices),
  // dx = onehot(indices)ᵀ·dy: each picked row's gradient is added back to the row it came from
  backward: ({ inputs: [x, indices] }, dy) => {
    const rows = x.shape[0];
    const picks = oneHot(reshape(indices, [-1]), rows, dy.dtype as 'float32' | 'float64');
    const flat = reshape(dy, [picks.shape[0], -1]);
    return [reshape(matmul(picks, flat, { transposeA: true }), x.shape), null];
  },
});

/**
 * Rows of `x` (along axis 0) picked by int32 `indices`: `out[i] = x[indices[i]]`, shape
 * `[...indices.shape, ...x.shape.slice(1)]`. Picks a minibatch, or embeddings by id.
 *
 * @example
 * const batch = gather(x, tensor([4, 0, 7], { dtype: 'int32' }));
 */
export function gather(x: Tensor, indices: Tensor): Tensor {
  if (indices.dtype !== 'int32') throw new DTypeError(`gather: indices must be int32, got ${indices.dtype}`);
  if (x.rank < 1) throw new ShapeError(`gather: x must have at least one axis, got ${formatShape(x.shape)}`);
  const bad = indexOutside(indices, x.shape[0]);
  if (bad !== undefined) {
    throw new ShapeError(`gather: index ${bad} is outside the ${x.shape[0]} rows of ${formatShape(x.shape)}`);
  }
  return GatherNode.apply([x, indices]);
}
