import { defineNode, formatShape, normalizeAxis, ShapeError, type Tensor } from '@graphgrad/core';
import { requireTensor } from './validate.ts';

/** The ArgMax node (int32 output, not differentiable). */
export const ArgMaxNode = defineNode<{
  /** The axis searched, non-negative. */
  axis: number;
}>({
  kind: 'ArgMax',
  inputs: ['x'],
  differentiable: [false],
  forward: (k, [x], { axis }) => k.ArgMax(x, axis),
  // an index is piecewise constant: no gradient
  backward: () => [null],
});

/**
 * Index of the largest value along `axis` (default the last), as int32: the predicted class.
 *
 * @example
 * argmax(scores); // [N, C] -> [N]
 */
export function argmax(x: Tensor, axis = -1): Tensor {
  requireTensor('argmax', x);
  const at = normalizeAxis('argmax', axis, x.rank);
  // An empty axis has no largest element (PyTorch refuses it too); 0 would be an index out of it.
  if (x.rank > 0 && x.shape[at] === 0)
    throw new ShapeError(`argmax: axis ${axis} of shape ${formatShape(x.shape)} is empty: it has no largest element`);
  return ArgMaxNode.apply([x], { axis: at });
}
