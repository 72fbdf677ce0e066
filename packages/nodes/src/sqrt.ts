import { defineNode, type Tensor } from '@graphgrad/core';
import { requireFloat } from './validate.ts';
import { div } from './div.ts';
import { mul } from './mul.ts';

/** The Sqrt node. */
export const SqrtNode = defineNode({
  kind: 'Sqrt',
  inputs: ['x'],
  saveOutputs: true,
  forward: (k, [x]) => k.Sqrt(x),
  // dx = dy / (2·y)
  backward: ({ outputs: [y] }, dy) => [div(dy, mul(y, 2))],
});

/**
 * Elementwise square root.
 *
 * @example
 * sqrt(tensor([0, 1, 2]));
 */
export function sqrt(x: Tensor): Tensor {
  requireFloat('sqrt', x);
  return SqrtNode.apply([x]);
}
