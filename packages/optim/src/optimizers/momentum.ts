import type { Tensor } from '@graphgrad/core';
import { add, mul, sub } from '@graphgrad/nodes';
import { checkHyperparameter } from './hyperparameter.ts';
import { Optimizer } from './optimizer.ts';

/** Options of `Momentum` and `Nesterov`. */
export interface MomentumOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
  /** Momentum (default 0.9). */
  momentum?: number;
}

/**
 * SGD with momentum, the book's `Momentum`: v ← momentum·v - lr·g; p ← p + v (v starts at 0).
 *
 * @example
 * const optimizer = new Momentum(model.params, { lr: 0.1, momentum: 0.9 });
 */
export class Momentum extends Optimizer {
  /** Learning rate; may be changed between steps. */
  lr: number;
  /** Momentum, in [0, 1). */
  momentum: number;

  constructor(params: Iterable<Tensor>, options: MomentumOptions = {}) {
    super(params);
    this.lr = checkHyperparameter('Momentum', 'lr', options.lr ?? 0.01);
    this.momentum = checkHyperparameter('Momentum', 'momentum', options.momentum ?? 0.9, true);
  }

  protected override checkHyperparameters(): void {
    checkHyperparameter('Momentum', 'lr', this.lr);
    checkHyperparameter('Momentum', 'momentum', this.momentum, true);
  }

  protected update(param: Tensor, grad: Tensor): void {
    const { v } = this.slots(param, 'v');
    v.assign(sub(mul(v, this.momentum), mul(grad, this.lr)));
    param.assign(add(param, v));
  }
}
