import { defineNode, type Tensor } from '@graphgrad/core';
import { requireFloat } from './validate.ts';
import { div } from './div.ts';

/** The Log node. */
export const LogNode = defineNode({
  kind: 'Log',
  inputs: ['x'],
  forward: (k, [x]) => k.Log(x),
  // dx = dy / x
  backward: ({ inputs: [x] }, dy) => [div(dy, x)],
});

/**
 * Elementwise natural logarithm (log 0 is -Infinity).
 *
 * @example
 * log(tensor([0, 1, 2]));
 */
export function log(x: Tensor): Tensor {
  requireFloat('log', x);
  return LogNode.apply([x]);
}
