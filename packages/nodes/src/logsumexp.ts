import {
  defineNode,
  normalizeAxes,
  reducedShape,
  type BackendArray,
  type Backend,
  type Kernels,
  type Tensor,
} from '@graphgrad/core';
import { exp } from './exp.ts';
import { mul } from './mul.ts';
import { reshape } from './reshape.ts';
import { sub } from './sub.ts';
import { requireFloat } from './validate.ts';

/**
 * The maximum of `x` along `axes` (kept as length 1) with ±Infinity replaced by 0: the shift that
 * keeps e^(x - m) from overflowing, and one that leaves no Inf - Inf where a slice is all -Inf or
 * holds +Inf (NaN stays NaN).
 */
export function stableShift(k: Kernels, x: BackendArray, axes: readonly number[], backend: Backend): BackendArray {
  const m = k.Max(x, axes, true);
  const infinite = k.Equal(k.Abs(m), backend.fill([], Infinity, x.dtype));
  return k.Where(infinite, backend.fill([], 0, x.dtype), m);
}

/** The LogSumExp node, y = log Σ e^x along the axes. */
export const LogSumExpNode = defineNode<{
  /** The axes reduced, sorted and non-negative. */
  axes: readonly number[];
  /** Whether the reduced axes stay as length 1. */
  keepDims: boolean;
}>({
  kind: 'LogSumExp',
  inputs: ['x'],
  saveOutputs: true,
  forward: (k, [x], { axes, keepDims }, backend) => {
    // NOTE: m + log Σ e^(x - m) with m the (detached) maximum: the same value, without overflow
    // for large x or underflow of every term for very negative x.
    const m = stableShift(k, x, axes, backend);
    const y = k.Add(k.Log(k.Sum(k.Exp(k.Sub(x, m)), axes, true)), m);
    return keepDims ? y : k.Reshape(y, reducedShape(x.shape, axes, false));
  },
  // dx = dy·e^(x - y) (the softmax of x along the axes)
  backward: ({ inputs: [x], outputs: [y], attrs: { axes, keepDims } }, dy) => {
    const kept = reducedShape(x.shape, axes, true);
    return [mul(keepDims ? dy : reshape(dy, kept), exp(sub(x, keepDims ? y : reshape(y, kept))))];
  },
});

/**
 * log Σ eˣ along `axis` (a number, a list, or every axis when omitted), computed without overflow
 * (`torch.logsumexp`, `scipy.special.logsumexp`): the largest element is subtracted first. Over no
 * elements it is -Infinity.
 *
 * @example
 * logsumexp(tensor([1000, 1000])); // 1000.6931 (not Infinity)
 * logsumexp(scores, -1, true);     // [N, C] -> [N, 1]
 */
export function logsumexp(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  requireFloat('logsumexp', x);
  return LogSumExpNode.apply([x], { axes: normalizeAxes('logsumexp', axis, x.rank), keepDims });
}
