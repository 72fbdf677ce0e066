import { ArgumentError, defineNode, type Tensor } from '@graphgrad/core';
import { greater } from './greater.ts';
import { mul } from './mul.ts';
import { sigmoid } from './sigmoid.ts';
import { describeValue, requireFloat, requireOptions } from './validate.ts';
import { where } from './where.ts';

/** The Softplus node, y = log(1 + e^(βx))/β, and x itself beyond the threshold. */
export const SoftplusNode = defineNode<{
  /** β, the sharpness (positive). */
  beta: number;
  /** Where βx exceeds it, y = x. */
  threshold: number;
}>({
  kind: 'Softplus',
  inputs: ['x'],
  forward: (k, [x], { beta, threshold }, backend) => {
    const c = (v: number) => backend.fill([], v, x.dtype);
    const bx = beta === 1 ? x : k.Mul(x, c(beta));
    // NOTE: log(1 + e^z) = log1p(e^-|z|) + max(z, 0): the exponential cannot overflow, and log1p
    // keeps the digits of e^-|z| that 1 + e^-|z| would round away.
    const sp = k.Add(k.Log1p(k.Exp(k.Neg(k.Abs(bx)))), k.Maximum(bx, c(0)));
    const y = beta === 1 ? sp : k.Div(sp, c(beta));
    return k.Where(k.Greater(bx, c(threshold)), x, y);
  },
  // dx = dy·σ(βx), and dy beyond the threshold
  backward: ({ inputs: [x], attrs: { beta, threshold } }, dy) => {
    const bx = beta === 1 ? x : mul(x, beta);
    return [where(greater(bx, threshold), dy, mul(dy, sigmoid(bx)))];
  },
});

/**
 * Softplus, log(1 + e^(βx))/β elementwise, a smooth ReLU (`torch.nn.functional.softplus`): computed
 * without overflow for any x, and x itself where βx > threshold (PyTorch's defaults: β = 1,
 * threshold = 20).
 *
 * @example
 * softplus(tensor([-1e4, 0, 1e4])); // [0, 0.6931, 1e4]
 * softplus(x, { beta: 2 });
 */
export function softplus(x: Tensor, options: { beta?: number; threshold?: number } = {}): Tensor {
  requireFloat('softplus', x);
  requireOptions('softplus', options);
  const beta = options.beta ?? 1;
  const threshold = options.threshold ?? 20;
  if (typeof beta !== 'number' || !(beta > 0) || !Number.isFinite(beta))
    throw new ArgumentError(`softplus: beta must be a positive finite number, got ${describeValue(beta)}`);
  if (typeof threshold !== 'number' || Number.isNaN(threshold))
    throw new ArgumentError(`softplus: threshold must be a number, got ${describeValue(threshold)}`);
  return SoftplusNode.apply([x], { beta, threshold });
}
