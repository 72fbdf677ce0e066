import { defineNode, type Tensor } from '@graphgrad/core';
import { requireFloat } from './validate.ts';
import { mul } from './mul.ts';
import { sub } from './sub.ts';

/** The Tanh node. */
export const TanhNode = defineNode({
  kind: 'Tanh',
  inputs: ['x'],
  saveOutputs: true,
  forward: (k, [x]) => k.Tanh(x),
  // dx = dy·(1 - y²)
  backward: ({ outputs: [y] }, dy) => [mul(dy, sub(1, mul(y, y)))],
});

/**
 * Elementwise hyperbolic tangent.
 *
 * @example
 * tanh(tensor([0, 1, 2]));
 */
export function tanh(x: Tensor): Tensor {
  requireFloat('tanh', x);
  return TanhNode.apply([x]);
}
