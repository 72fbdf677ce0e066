import { defineNode, type Tensor } from '@graphgrad/core';
import { requireFloat } from './validate.ts';
import { greater } from './greater.ts';
import { mul } from './mul.ts';
import { neg } from './neg.ts';
import { sub } from './sub.ts';

/** The Abs node. */
export const AbsNode = defineNode({
  kind: 'Abs',
  inputs: ['x'],
  forward: (k, [x]) => k.Abs(x),
  // dx = dy·sign(x) (0 at x = 0)
  backward: ({ inputs: [x] }, dy) => [mul(dy, sub(greater(x, 0), greater(neg(x), 0)))],
});

/**
 * Elementwise absolute value.
 *
 * @example
 * abs(tensor([0, 1, 2]));
 */
export function abs(x: Tensor): Tensor {
  requireFloat('abs', x);
  return AbsNode.apply([x]);
}
