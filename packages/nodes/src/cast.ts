import { ArgumentError, defineNode, isFloatDType, type DType, type Tensor } from '@graphgrad/core';

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
  if (!x.backend.dtypes.includes(dtype))
    throw new ArgumentError(`cast: the ${x.backend.name} backend cannot hold ${dtype}`);
  return CastNode.apply([x], { dtype });
}
