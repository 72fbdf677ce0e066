import type { Tensor } from '@graphgrad/core';
import { mul } from '@graphgrad/nodes';
import { Adam, type AdamOptions } from './adam.ts';
import type { OptimizerParams, ParamGroup, ParameterUpdate } from './optimizer.ts';

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), PyTorch's `AdamW`: each step first
 * shrinks the weights, p ← p·(1 - lr·weightDecay), then applies Adam's update to the plain
 * gradient (weight decay default 0.01). Unlike L2 added to the gradient, the decay is not divided
 * by √v, so every weight decays at the same rate.
 *
 * @example
 * const optimizer = new AdamW([
 *   { params: weights, weightDecay: 0.01 },
 *   { params: biases, weightDecay: 0 },
 * ], { lr: 1e-3 });
 */
export class AdamW extends Adam {
  constructor(params: OptimizerParams<'beta1' | 'beta2'>, options: AdamOptions = {}) {
    super(params, { ...options, weightDecay: options.weightDecay ?? 0.01 });
  }

  /** The plain gradient: the decay is applied to the weights in `update`. */
  protected override decayedGradient(_param: Tensor, grad: Tensor): Tensor {
    return grad;
  }

  protected override update(
    param: Tensor,
    grad: Tensor,
    group: ParamGroup<'beta1' | 'beta2'>,
    step: number,
  ): ParameterUpdate {
    const decayed = group.weightDecay > 0 ? mul(param, 1 - group.lr * group.weightDecay) : param;
    return this.adamUpdate(param, decayed, grad, group, step);
  }
}
