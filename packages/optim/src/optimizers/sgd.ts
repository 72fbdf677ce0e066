import type { Tensor } from '@graphgrad/core';
import { mul, sub } from '@graphgrad/nodes';
import type { HyperparameterSpecs } from './hyperparameter.ts';
import {
  Optimizer,
  type CommonHyperparameter,
  type OptimizerParams,
  type ParamGroup,
  type ParameterUpdate,
} from './optimizer.ts';

/** Options of `SGD` (and of each of its parameter groups). */
export interface SGDOptions {
  /** Learning rate (default 0.01, the book's). */
  lr?: number;
  /** L2 weight decay added to the gradient (default 0). */
  weightDecay?: number;
}

const SGD_HYPERPARAMETERS: HyperparameterSpecs<CommonHyperparameter> = {
  lr: { default: 0.01 },
  weightDecay: { default: 0 },
};

/**
 * Stochastic gradient descent, the book's `SGD`: p ← p - lr·g.
 *
 * @example
 * const optimizer = new SGD(model.parameters(), { lr: 1.0 });
 * optimizer.step();
 */
export class SGD extends Optimizer {
  constructor(params: OptimizerParams, options: SGDOptions = {}) {
    super(params, options, SGD_HYPERPARAMETERS);
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup): ParameterUpdate {
    return { param: sub(param, mul(grad, group.lr)), state: {} };
  }
}
