import type { Tensor } from '@graphgrad/core';
import { add, div, mul, sqrt, sub } from '@graphgrad/nodes';
import { checkHyperparameter } from './hyperparameter.ts';
import { Optimizer } from './optimizer.ts';

/** Options of `RMSprop`. */
export interface RMSpropOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
  /** Decay of the squared-gradient average (default 0.99). */
  decayRate?: number;
}

/**
 * RMSprop, the book's `RMSprop`: h ← decay·h + (1 - decay)·g²; p ← p - lr·g / (√h + 1e-7)
 * (h starts at 0).
 *
 * @example
 * const optimizer = new RMSprop(model.params, { lr: 0.01, decayRate: 0.99 });
 */
export class RMSprop extends Optimizer {
  /** Learning rate; may be changed between steps. */
  lr: number;
  /** Decay of the squared-gradient average, in [0, 1). */
  decayRate: number;

  constructor(params: Iterable<Tensor>, options: RMSpropOptions = {}) {
    super(params);
    this.lr = checkHyperparameter('RMSprop', 'lr', options.lr ?? 0.01);
    this.decayRate = checkHyperparameter('RMSprop', 'decayRate', options.decayRate ?? 0.99, true);
  }

  protected override checkHyperparameters(): void {
    checkHyperparameter('RMSprop', 'lr', this.lr);
    checkHyperparameter('RMSprop', 'decayRate', this.decayRate, true);
  }

  protected update(param: Tensor, grad: Tensor): void {
    const { h } = this.slots(param, 'h');
    h.assign(add(mul(h, this.decayRate), mul(mul(grad, grad), 1 - this.decayRate)));
    param.assign(sub(param, div(mul(grad, this.lr), add(sqrt(h), 1e-7))));
  }
}
