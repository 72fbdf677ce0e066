import type { Tensor } from '@graphgrad/core';
import { mul, sub } from '@graphgrad/nodes';
import { Optimizer } from './optimizer.ts';
import { checkHyperparameter } from './hyperparameter.ts';

/** Options of `SGD`. */
export interface SGDOptions {
  /** Learning rate (default 0.01, the book's). */
  lr?: number;
}

/**
 * Stochastic gradient descent, the book's `SGD`: p ← p - lr·g.
 *
 * @example
 * const optimizer = new SGD(model.params, { lr: 1.0 });
 * optimizer.step();
 */
export class SGD extends Optimizer {
  /** Learning rate; may be changed between steps (a schedule). */
  lr: number;

  constructor(params: Iterable<Tensor>, options: SGDOptions = {}) {
    super(params);
    this.lr = checkHyperparameter('SGD', 'lr', options.lr ?? 0.01);
  }

  protected override checkHyperparameters(): void {
    checkHyperparameter('SGD', 'lr', this.lr);
  }

  protected update(param: Tensor, grad: Tensor): void {
    param.assign(sub(param, mul(grad, this.lr)));
  }
}
