import { defineNode, type Tensor } from '@graphgrad/core';
import { requireFloat } from './validate.ts';

/** The Neg node. */
export const NegNode = defineNode({
  kind: 'Neg',
  inputs: ['x'],
  forward: (k, [x]) => k.Neg(x),
  // dx = -dy
  backward: (_ctx, dy) => [neg(dy)],
});

/**
 * Elementwise -x.
 *
 * @example
 * neg(tensor([0, 1, 2]));
 */
export function neg(x: Tensor): Tensor {
  requireFloat('neg', x);
  return NegNode.apply([x]);
}
