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

/** Options of `AdaGrad` (and of each of its parameter groups). */
export interface AdaGradOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
  /** L2 weight decay added to the gradient (default 0). */
  weightDecay?: number;
}

const ADA_GRAD_HYPERPARAMETERS: HyperparameterSpecs<CommonHyperparameter> = {
  lr: { default: 0.01 },
  weightDecay: { default: 0 },
};

/**
 * AdaGrad, the book's `AdaGrad`: h ← h + g²; p ← p - lr·g / (√h + 1e-7) (h starts at 0).
 *
 * @example
 * const optimizer = new AdaGrad(model.parameters(), { lr: 0.1 });
 */
export class AdaGrad extends Optimizer {
  constructor(params: OptimizerParams, options: AdaGradOptions = {}) {
    super(params, options, ADA_GRAD_HYPERPARAMETERS, ['h']);
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup): ParameterUpdate {
    const h = add(this.stateOf(param, 'h'), mul(grad, grad));
    // NOTE: the book's 1e-7 keeps the first step finite where a gradient component is 0
    return { param: sub(param, div(mul(grad, group.lr), add(sqrt(h), 1e-7))), state: { h } };
  }
}
