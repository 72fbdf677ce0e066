import { defineNode, type Tensor } from '@graphgrad/core';
import { greater } from './greater.ts';
import { requireFloat } from './validate.ts';
import { where } from './where.ts';

/** The Relu node, y = max(x, 0). */
export const ReluNode = defineNode({
  kind: 'Relu',
  inputs: ['x'],
  // NaN stays NaN, as PyTorch's relu keeps it
  forward: (k, [x], _attrs, backend) => k.Maximum(x, backend.fill([], 0, x.dtype)),
  // dx = dy where x > 0, else 0
  // NOTE: the rule is where(x > 0, dy, 0), not maximum(x, 0)'s: maximum splits dy evenly between
  // tied operands, which would give relu the gradient dy/2 at x = 0, where PyTorch's gives 0.
  backward: ({ inputs: [x] }, dy) => [where(greater(x, 0), dy, 0)],
});

/**
 * The rectified linear unit max(x, 0), elementwise; its gradient at 0 is 0 (PyTorch's).
 *
 * @example
 * relu(tensor([-1, 0, 2])); // [0, 0, 2]
 */
export function relu(x: Tensor): Tensor {
  requireFloat('relu', x);
  return ReluNode.apply([x]);
}
