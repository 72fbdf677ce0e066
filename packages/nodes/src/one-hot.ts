import { ArgumentError, defineNode, DTypeError, type FloatDType, type Tensor } from '@graphgrad/core';
import { indexOutside } from './validate.ts';

/** The OneHot node: int32 class indices to rows of 0s with a 1 at the class. Not differentiable. */
export const OneHotNode = defineNode<{
  /** Number of classes (columns). */
  depth: number;
  /** The dtype of the rows. */
  dtype: FloatDType;
}>({
  kind: 'OneHot',
  inputs: ['indices'],
  differentiable: [false],
  forward: (k, [indices], { depth, dtype }) => k.OneHot(indices, depth, dtype),
  // indices are integers: nothing to differentiate
  backward: () => [null],
});

/**
 * One-hot rows for int32 class indices: shape `[...indices.shape, depth]`. Indices outside
 * [0, depth) are rejected wherever the host can read them (always on the CPU; on WebGPU for indices
 * uploaded from the host); indices only the device knows give a row of NaN there instead.
 *
 * @example
 * oneHot(tensor([0, 2], { dtype: 'int32' }), 3); // [[1,0,0],[0,0,1]]
 */
export function oneHot(indices: Tensor, depth: number, dtype: FloatDType = 'float32'): Tensor {
  if (indices.dtype !== 'int32') throw new DTypeError(`oneHot: indices must be int32, got ${indices.dtype}`);
  if (!Number.isInteger(depth) || depth < 1)
    throw new ArgumentError(`oneHot: depth must be a positive integer, got ${depth}`);
  const bad = indexOutside(indices, depth);
  if (bad !== undefined) throw new ArgumentError(`oneHot: class index ${bad} is outside [0, ${depth})`);
  return OneHotNode.apply([indices], { depth, dtype });
}
