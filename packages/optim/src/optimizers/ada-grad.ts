import type { Tensor } from '@graphgrad/core';
import { add, div, mul, sqrt, sub } from '@graphgrad/nodes';
import { checkHyperparameter } from './hyperparameter.ts';
import { Optimizer } from './optimizer.ts';

/** Options of `AdaGrad`. */
export interface AdaGradOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
}

/**
 * AdaGrad, the book's `AdaGrad`: h ← h + g²; p ← p - lr·g / (√h + 1e-7) (h starts at 0).
 *
 * @example
 * const optimizer = new AdaGrad(model.params, { lr: 0.1 });
 */
export class AdaGrad extends Optimizer {
  /** Learning rate; may be changed between steps. */
  lr: number;

  constructor(params: Iterable<Tensor>, options: AdaGradOptions = {}) {
    super(params);
    this.lr = checkHyperparameter('AdaGrad', 'lr', options.lr ?? 0.01);
  }

  protected override checkHyperparameters(): void {
    checkHyperparameter('AdaGrad', 'lr', this.lr);
  }

  protected update(param: Tensor, grad: Tensor): void {
    const { h } = this.slots(param, 'h');
    h.assign(add(h, mul(grad, grad)));
    // NOTE: the book's 1e-7 keeps the first step finite where a gradient component is 0
    param.assign(sub(param, div(mul(grad, this.lr), add(sqrt(h), 1e-7))));
  }
}
