import { defineNode, type Tensor } from '@graphgrad/core';
import { mul } from './mul.ts';
import { requireFloat } from './validate.ts';

/** The Square node, y = x². */
export const SquareNode = defineNode({
  kind: 'Square',
  inputs: ['x'],
  forward: (k, [x]) => k.Mul(x, x),
  // dx = 2·x·dy
  backward: ({ inputs: [x] }, dy) => [mul(dy, mul(x, 2))],
});

/**
 * Elementwise x² (one multiplication; `pow(x, 2)` computes the same value through exp2 and log2 on
 * the GPU).
 *
 * @example
 * square(tensor([-2, 3])); // [4, 9]
 */
export function square(x: Tensor): Tensor {
  requireFloat('square', x);
  return SquareNode.apply([x]);
}
