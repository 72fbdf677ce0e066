import {
  BackendError,
  defineNode,
  describeValue,
  DTypeError,
  isDType,
  isFloatDType,
  type DType,
  type Tensor,
} from '@graphgrad/core';
import { requireTensor } from './validate.ts';

/** The Cast node. */
export const CastNode = defineNode<{
  /** The dtype cast to. */
  dtype: DType;
}>({
  kind: 'Cast',
  inputs: ['x'],
  forward: (k, [x], { dtype }) => k.Cast(x, dtype),
  // dx = dy cast back (between float dtypes; an int32 result carries no gradient)
  backward: ({ inputs: [x], attrs: { dtype } }, dy) => [isFloatDType(dtype) ? cast(dy, x.dtype) : null],
});

/**
 * The same values in another dtype (float to int32 truncates toward zero).
 *
 * @example
 * cast(labels, 'float32');
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  requireTensor('cast', x);
  if (!isDType(dtype))
    throw new DTypeError(`cast: dtype must be 'float32', 'float64' or 'int32', got ${describeValue(dtype)}`);
  if (!x.backend.dtypes.includes(dtype))
    throw new BackendError(`cast: the ${x.backend.name} backend cannot hold ${dtype}`);
  return CastNode.apply([x], { dtype });
}
