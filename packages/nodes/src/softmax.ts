import { defineNode, normalizeAxis, type Tensor } from '@graphgrad/core';
import { mul } from './mul.ts';
import { sub } from './sub.ts';
import { sum } from './sum.ts';
import { requireFloat } from './validate.ts';

/** The Softmax node along one axis. */
export const SoftmaxNode = defineNode<{
  /** The axis normalised over, non-negative. */
  axis: number;
}>({
  kind: 'Softmax',
  inputs: ['x'],
  saveOutputs: true,
  forward: (k, [x], { axis }) => {
    const last = x.shape.length - 1;
    if (axis === last) return k.Softmax(x);
    // The kernel works on the last axis: swap `axis` there and back (views on the way in).
    const perm = x.shape.map((_, i) => (i === axis ? last : i === last ? axis : i));
    const moved = k.Transpose(x, perm);
    const y = k.Softmax(moved);
    return k.Transpose(y, perm);
  },
  // dx = y·(dy - Σ_axis dy·y)
  backward: ({ outputs: [y], attrs: { axis } }, dy) => [mul(y, sub(dy, sum(mul(dy, y), axis, true)))],
});

/**
 * Softmax along `axis` (default the last), computed after subtracting the maximum so large logits
 * cannot overflow.
 *
 * @example
 * softmax(tensor([[1, 2, 3]])); // each row sums to 1
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  requireFloat('softmax', x);
  return SoftmaxNode.apply([x], { axis: normalizeAxis('softmax', axis, x.rank) });
}
