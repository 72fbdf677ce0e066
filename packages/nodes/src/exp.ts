import { defineNode, type Tensor } from '@graphgrad/core';
import { requireFloat } from './validate.ts';
import { mul } from './mul.ts';

/** The Exp node. */
export const ExpNode = defineNode({
  kind: 'Exp',
  inputs: ['x'],
  saveOutputs: true,
  forward: (k, [x]) => k.Exp(x),
  // dx = dy·y
  backward: ({ outputs: [y] }, dy) => [mul(dy, y)],
});

/**
 * Elementwise eˣ.
 *
 * @example
 * exp(tensor([0, 1, 2]));
 */
export function exp(x: Tensor): Tensor {
  requireFloat('exp', x);
  return ExpNode.apply([x]);
}
