import type { Tensor } from '@graphgrad/core';
import { add, div, mul, sqrt, sub } from '@graphgrad/nodes';
import { checkHyperparameter } from './hyperparameter.ts';
import { Optimizer } from './optimizer.ts';

/** Options of `Adam`. */
export interface AdamOptions {
  /** Learning rate (default 0.001). */
  lr?: number;
  /** Decay of the first moment (default 0.9). */
  beta1?: number;
  /** Decay of the second moment (default 0.999). */
  beta2?: number;
}

/**
 * Adam, the book's `Adam`: with t the step count,
 * lr_t = lr·√(1 - β2^t) / (1 - β1^t); m ← m + (1 - β1)(g - m); v ← v + (1 - β2)(g² - v);
 * p ← p - lr_t·m / (√v + 1e-7) (m and v start at 0).
 *
 * NOTE: the bias correction is folded into the learning rate, as in the book (and in Adam's
 * paper, section 2), so the 1e-7 is added to √v rather than to the corrected √v̂: the two forms
 * differ slightly in the first steps.
 *
 * @example
 * const optimizer = new Adam(model.params, { lr: 0.001 });
 */
export class Adam extends Optimizer {
  /** Learning rate (before bias correction); may be changed between steps. */
  lr: number;
  /** Decay of the first moment, in [0, 1). */
  beta1: number;
  /** Decay of the second moment, in [0, 1). */
  beta2: number;
  #lrT = 0;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params);
    this.lr = checkHyperparameter('Adam', 'lr', options.lr ?? 0.001);
    this.beta1 = checkHyperparameter('Adam', 'beta1', options.beta1 ?? 0.9, true);
    this.beta2 = checkHyperparameter('Adam', 'beta2', options.beta2 ?? 0.999, true);
  }

  protected override checkHyperparameters(): void {
    checkHyperparameter('Adam', 'lr', this.lr);
    checkHyperparameter('Adam', 'beta1', this.beta1, true);
    checkHyperparameter('Adam', 'beta2', this.beta2, true);
  }

  protected override beginStep(): void {
    const t = this.stepCount;
    this.#lrT = (this.lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
  }

  protected update(param: Tensor, grad: Tensor): void {
    const { m, v } = this.slots(param, 'm', 'v');
    m.assign(add(m, mul(sub(grad, m), 1 - this.beta1)));
    v.assign(add(v, mul(sub(mul(grad, grad), v), 1 - this.beta2)));
    param.assign(sub(param, div(mul(m, this.#lrT), add(sqrt(v), 1e-7))));
  }
}
