import { defineNode, type Tensor } from '@graphgrad/core';
import { add } from './add.ts';
import { div } from './div.ts';
import { requireFloat } from './validate.ts';

/** The Log1p node, y = log(1 + x). */
export const Log1pNode = defineNode({
  kind: 'Log1p',
  inputs: ['x'],
  forward: (k, [x]) => k.Log1p(x),
  // dx = dy / (1 + x)
  backward: ({ inputs: [x] }, dy) => [div(dy, add(x, 1))],
});

/**
 * Elementwise log(1 + x), accurate for x near 0 where `log(add(x, 1))` loses the digits of x to
 * the rounding of 1 + x (`np.log1p`, `torch.log1p`).
 *
 * @example
 * log1p(tensor([1e-10, 1])); // [1e-10, 0.693…]
 */
export function log1p(x: Tensor): Tensor {
  requireFloat('log1p', x);
  return Log1pNode.apply([x]);
}
