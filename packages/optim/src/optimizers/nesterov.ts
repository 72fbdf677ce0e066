import type { Tensor } from '@graphgrad/core';
import { add, mul, sub } from '@graphgrad/nodes';
import { checkHyperparameter } from './hyperparameter.ts';
import type { MomentumOptions } from './momentum.ts';
import { Optimizer } from './optimizer.ts';

/**
 * Nesterov's accelerated gradient, the book's `Nesterov`: v ← momentum·v - lr·g;
 * p ← p + momentum²·v - (1 + momentum)·lr·g (with the updated v).
 *
 * @example
 * const optimizer = new Nesterov(model.params, { lr: 0.1 });
 */
export class Nesterov extends Optimizer {
  /** Learning rate; may be changed between steps. */
  lr: number;
  /** Momentum, in [0, 1). */
  momentum: number;

  constructor(params: Iterable<Tensor>, options: MomentumOptions = {}) {
    super(params);
    this.lr = checkHyperparameter('Nesterov', 'lr', options.lr ?? 0.01);
    this.momentum = checkHyperparameter('Nesterov', 'momentum', options.momentum ?? 0.9, true);
  }

  protected override checkHyperparameters(): void {
    checkHyperparameter('Nesterov', 'lr', this.lr);
    checkHyperparameter('Nesterov', 'momentum', this.momentum, true);
  }

  protected update(param: Tensor, grad: Tensor): void {
    const { v } = this.slots(param, 'v');
    const m = this.momentum;
    v.assign(sub(mul(v, m), mul(grad, this.lr)));
    param.assign(sub(add(param, mul(v, m * m)), mul(grad, (1 + m) * this.lr)));
  }
}
