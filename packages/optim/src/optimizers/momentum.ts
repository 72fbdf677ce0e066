import type { Tensor } from '@graphgrad/core';
import { add, mul, sub } from '@graphgrad/nodes';
import type { HyperparameterSpecs } from './hyperparameter.ts';
import {
  Optimizer,
  type CommonHyperparameter,
  type OptimizerParams,
  type ParamGroup,
  type ParameterUpdate,
} from './optimizer.ts';

/** Options of `Momentum` and `Nesterov` (and of each of their parameter groups). */
export interface MomentumOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
  /** Momentum (default 0.9). */
  momentum?: number;
  /** L2 weight decay added to the gradient (default 0). */
  weightDecay?: number;
}

/** The hyperparameters of `Momentum` and `Nesterov`. */
export const MOMENTUM_HYPERPARAMETERS: HyperparameterSpecs<CommonHyperparameter | 'momentum'> = {
  lr: { default: 0.01 },
  momentum: { default: 0.9, belowOne: true },
  weightDecay: { default: 0 },
};

/**
 * SGD with momentum, the book's `Momentum`: v ← momentum·v - lr·g; p ← p + v (v starts at 0).
 *
 * @example
 * const optimizer = new Momentum(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class Momentum extends Optimizer<'momentum'> {
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
    const v = sub(mul(this.stateOf(param, 'v'), group.momentum), mul(grad, group.lr));
    return { param: add(param, v), state: { v } };
  }
}
