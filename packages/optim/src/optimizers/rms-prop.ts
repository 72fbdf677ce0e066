import type { Tensor } from '@graphgrad/core';
import { add, div, mul, sqrt, sub } from '@graphgrad/nodes';
import type { HyperparameterSpecs } from './hyperparameter.ts';
import {
  Optimizer,
  type CommonHyperparameter,
  type OptimizerParams,
  type ParamGroup,
  type ParameterUpdate,
} from './optimizer.ts';

/** Options of `RMSprop` (and of each of its parameter groups). */
export interface RMSpropOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
  /** Decay of the squared-gradient average (default 0.99). */
  decayRate?: number;
  /** L2 weight decay added to the gradient (default 0). */
  weightDecay?: number;
}

const RMS_PROP_HYPERPARAMETERS: HyperparameterSpecs<CommonHyperparameter | 'decayRate'> = {
  lr: { default: 0.01 },
  decayRate: { default: 0.99, belowOne: true },
  weightDecay: { default: 0 },
};

/**
 * RMSprop, the book's `RMSprop`: h ← decay·h + (1 - decay)·g²; p ← p - lr·g / (√h + 1e-7)
 * (h starts at 0).
 *
 * @example
 * const optimizer = new RMSprop(model.parameters(), { lr: 0.01, decayRate: 0.99 });
 */
export class RMSprop extends Optimizer<'decayRate'> {
  constructor(params: OptimizerParams<'decayRate'>, options: RMSpropOptions = {}) {
    super(params, options, RMS_PROP_HYPERPARAMETERS, ['h']);
  }

  /** Decay of the squared-gradient average, in [0, 1) (group 0's; setting it sets every group's). */
  get decayRate(): number {
    return this.hyperparameter('decayRate');
  }

  /** Sets `decayRate` in every parameter group (checked before the next step). */
  set decayRate(value: number) {
    this.setHyperparameter('decayRate', value);
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup<'decayRate'>): ParameterUpdate {
    const h = add(mul(this.stateOf(param, 'h'), group.decayRate), mul(mul(grad, grad), 1 - group.decayRate));
    return { param: sub(param, div(mul(grad, group.lr), add(sqrt(h), 1e-7))), state: { h } };
  }
}
