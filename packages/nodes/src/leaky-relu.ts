import { ArgumentError, defineNode, type Tensor } from '@graphgrad/core';
import { greater } from './greater.ts';
import { mul } from './mul.ts';
import { describeValue, requireFloat } from './validate.ts';
import { where } from './where.ts';

/** The LeakyRelu node, y = x for x > 0, slope·x otherwise. */
export const LeakyReluNode = defineNode<{
  /** The slope for x ≤ 0. */
  slope: number;
}>({
  kind: 'LeakyRelu',
  inputs: ['x'],
  forward: (k, [x], { slope }, backend) =>
    k.Where(k.Greater(x, backend.fill([], 0, x.dtype)), x, k.Mul(x, backend.fill([], slope, x.dtype))),
  // dx = dy where x > 0, slope·dy elsewhere (slope at 0, as PyTorch's)
  backward: ({ inputs: [x], attrs: { slope } }, dy) => [where(greater(x, 0), dy, mul(dy, slope))],
});

/**
 * The leaky ReLU, x for x > 0 and slope·x otherwise, elementwise (`torch.nn.functional.leaky_relu`,
 * whose negative_slope is `slope`).
 *
 * @example
 * leakyRelu(tensor([-2, 3]));      // [-0.02, 3]
 * leakyRelu(tensor([-2, 3]), 0.2); // [-0.4, 3]
 */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  requireFloat('leakyRelu', x);
  if (typeof slope !== 'number' || !Number.isFinite(slope))
    throw new ArgumentError(`leakyRelu: slope must be a finite number, got ${describeValue(slope)}`);
  return LeakyReluNode.apply([x], { slope });
}
