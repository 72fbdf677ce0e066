import { defineNode, type Tensor } from '@graphgrad/core';
import { mul } from './mul.ts';
import { neg } from './neg.ts';
import { sigmoid } from './sigmoid.ts';
import { requireFloat } from './validate.ts';

/** The LogSigmoid node, y = log σ(x). */
export const LogSigmoidNode = defineNode({
  kind: 'LogSigmoid',
  inputs: ['x'],
  // NOTE: log σ(x) = min(x, 0) - log1p(e^-|x|): no exponential overflows and no log of a σ that
  // rounded to 0, so log σ(-1e4) is -1e4 rather than -Inf.
  forward: (k, [x], _attrs, backend) =>
    k.Sub(k.Minimum(x, backend.fill([], 0, x.dtype)), k.Log1p(k.Exp(k.Neg(k.Abs(x))))),
  // dx = dy·σ(-x)
  backward: ({ inputs: [x] }, dy) => [mul(dy, sigmoid(neg(x)))],
});

/**
 * log σ(x) elementwise, finite for every finite x (`torch.nn.functional.logsigmoid`).
 *
 * @example
 * logSigmoid(tensor([-1e4, 0, 1e4])); // [-1e4, -0.6931, 0]
 */
export function logSigmoid(x: Tensor): Tensor {
  requireFloat('logSigmoid', x);
  return LogSigmoidNode.apply([x]);
}
