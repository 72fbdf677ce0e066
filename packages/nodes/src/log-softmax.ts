import { defineNode, normalizeAxis, type Tensor } from '@graphgrad/core';
import { exp } from './exp.ts';
import { stableShift } from './logsumexp.ts';
import { mul } from './mul.ts';
import { sub } from './sub.ts';
import { sum } from './sum.ts';
import { requireFloat } from './validate.ts';

/** The LogSoftmax node along one axis, y = x - logsumexp(x). */
export const LogSoftmaxNode = defineNode<{
  /** The axis normalised over, non-negative. */
  axis: number;
}>({
  kind: 'LogSoftmax',
  inputs: ['x'],
  saveOutputs: true,
  forward: (k, [x], { axis }, backend) => {
    // NOTE: (x - m) - log Σ e^(x - m) with m the (detached) maximum: no exponential overflows, and
    // no log of a softmax that rounded to 0, so a logit 1e4 below the others gives -1e4, not -Inf.
    const shifted = k.Sub(x, stableShift(k, x, [axis], backend));
    return k.Sub(shifted, k.Log(k.Sum(k.Exp(shifted), [axis], true)));
  },
  // dx = dy - e^y·Σ_axis dy
  backward: ({ outputs: [y], attrs: { axis } }, dy) => [sub(dy, mul(exp(y), sum(dy, axis, true)))],
});

/**
 * log softmax(x) along `axis` (default the last), computed without overflow or log 0
 * (`torch.log_softmax`): x - logsumexp(x) along the axis.
 *
 * @example
 * logSoftmax(tensor([[0, 1e4]])); // [[-1e4, 0]]
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  requireFloat('logSoftmax', x);
  return LogSoftmaxNode.apply([x], { axis: normalizeAxis('logSoftmax', axis, x.rank) });
}
