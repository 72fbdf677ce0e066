import {
  ArgumentError,
  BackendError,
  checkShape,
  defineNode,
  describeValue,
  DTypeError,
  type FloatDType,
  type Tensor,
} from '@graphgrad/core';
import { requireIndices } from './gather.ts';
import { indexOutside, requireInteger } from './validate.ts';

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
  requireIndices('oneHot', indices);
  requireInteger('oneHot', depth, 'depth', 1);
  checkShape('oneHot', [...indices.shape, depth]);
  if (dtype !== 'float32' && dtype !== 'float64')
    throw new DTypeError(`oneHot: dtype must be 'float32' or 'float64', got ${describeValue(dtype)}`);
  if (!indices.backend.dtypes.includes(dtype))
    throw new BackendError(`oneHot: the ${indices.backend.name} backend cannot hold ${dtype}`);
  const bad = indexOutside(indices, depth);
  if (bad !== undefined) throw new ArgumentError(`oneHot: class index ${bad} is outside [0, ${depth})`);
  return OneHotNode.apply([indices], { depth, dtype });
}
