import { defineNode, type Tensor } from '@graphgrad/core';
import { requireFloat } from './validate.ts';
import { mul } from './mul.ts';
import { sub } from './sub.ts';

/** The Sigmoid node. */
export const SigmoidNode = defineNode({
  kind: 'Sigmoid',
  inputs: ['x'],
  saveOutputs: true,
  forward: (k, [x]) => k.Sigmoid(x),
  // dx = dy·y·(1 - y)
  backward: ({ outputs: [y] }, dy) => [mul(dy, mul(y, sub(1, y)))],
});

/**
 * Elementwise logistic sigmoid 1 / (1 + e^-x), stable for large |x|.
 *
 * @example
 * sigmoid(tensor([0, 1, 2]));
 */
export function sigmoid(x: Tensor): Tensor {
  requireFloat('sigmoid', x);
  return SigmoidNode.apply([x]);
}
