import { DTypeError, defineNode, formatShape, ShapeError, type BackendArray, type Tensor } from '@graphgrad/core';
import { matmul } from './matmul.ts';
import { oneHot } from './one-hot.ts';
import { reshape } from './reshape.ts';
import { hostIndices } from './validate.ts';

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
  const bound = indexBound(indices);
  if (bound !== undefined && !(bound <= x.shape[0])) {
    const bad = hostIndices(indices)!.find((v) => v < 0 || v >= x.shape[0]);
    throw new ShapeError(`gather: index ${bad} is outside the ${x.shape[0]} rows of ${formatShape(x.shape)}`);
  }
  return GatherNode.apply([x, indices]);
}

// NOTE: reading the indices back is a copy; a minibatch's indices pick rows of both x and t, so the
// bound is remembered per backend array (a tensor's values only change by taking a new array).
const bounds = new WeakMap<BackendArray, number>();

/**
 * The largest index + 1 (0 when empty), or NaN when an index is negative; read once per array.
 * Undefined when the host cannot read the indices (the kernel then writes NaN for a bad index).
 */
function indexBound(indices: Tensor): number | undefined {
  const array = indices.array;
  let bound = bounds.get(array);
  if (bound === undefined) {
    const values = hostIndices(indices);
    if (values === undefined) return undefined;
    let max = -1;
    let negative = false;
    for (let i = 0; i < values.length; i++) {
      if (values[i] < 0) negative = true;
      else if (values[i] > max) max = values[i];
    }
    bound = negative ? NaN : max + 1;
    bounds.set(array, bound);
  }
  return bound;
}
