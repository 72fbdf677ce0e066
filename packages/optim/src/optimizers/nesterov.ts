import type { Tensor } from '@graphgrad/core';
import { add, mul, sub } from '@graphgrad/nodes';
import { MOMENTUM_HYPERPARAMETERS, type MomentumOptions } from './momentum.ts';
import { Optimizer, type OptimizerParams, type ParamGroup, type ParameterUpdate } from './optimizer.ts';

/**
 * Nesterov's accelerated gradient, the book's `Nesterov`: v ← momentum·v - lr·g;
 * p ← p + momentum²·v - (1 + momentum)·lr·g (with the updated v).
 *
 * @example
 * const optimizer = new Nesterov(model.parameters(), { lr: 0.1 });
 */
export class Nesterov extends Optimizer<'momentum'> {
  constructor(params: OptimizerParams<'momentum'>, options: MomentumOptions = {}) {
    super(params, options, MOMENTUM_HYPERPARAMETERS, ['v']);
  }

  /** Momentum, in [0, 1) (group 0's; setting it sets every group's). */
  get momentum(): number {
    return this.hyperparameter('momentum');
  }

  /** Sets `momentum` in every parameter group (checked before the next step). */
  set momentum(value: number) {
    this.setHyperparameter('momentum', value);
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup<'momentum'>): ParameterUpdate {
    const m = group.momentum;
    const v = sub(mul(this.stateOf(param, 'v'), m), mul(grad, group.lr));
    return { param: sub(add(param, mul(v, m * m)), mul(grad, (1 + m) * group.lr)), state: { v } };
  }
}
