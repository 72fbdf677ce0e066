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

/** Options of `Adam` and `AdamW` (and of each of their parameter groups). */
export interface AdamOptions {
  /** Learning rate (default 0.001). */
  lr?: number;
  /** Decay of the first moment (default 0.9). */
  beta1?: number;
  /** Decay of the second moment (default 0.999). */
  beta2?: number;
  /** Weight decay (default 0 for Adam, where it is L2 added to the gradient; 0.01 for AdamW, decoupled). */
  weightDecay?: number;
}

/** The hyperparameters Adam adds to the common ones. */
type AdamHyperparameter = 'beta1' | 'beta2';

const ADAM_HYPERPARAMETERS: HyperparameterSpecs<CommonHyperparameter | AdamHyperparameter> = {
  lr: { default: 0.001 },
  beta1: { default: 0.9, belowOne: true },
  beta2: { default: 0.999, belowOne: true },
  weightDecay: { default: 0 },
};

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
 * const optimizer = new Adam(model.parameters(), { lr: 0.001 });
 */
export class Adam extends Optimizer<AdamHyperparameter> {
  constructor(params: OptimizerParams<AdamHyperparameter>, options: AdamOptions = {}) {
    super(params, options, ADAM_HYPERPARAMETERS, ['m', 'v']);
  }

  /** Decay of the first moment, in [0, 1) (group 0's; setting it sets every group's). */
  get beta1(): number {
    return this.hyperparameter('beta1');
  }

  /** Sets `beta1` in every parameter group (checked before the next step). */
  set beta1(value: number) {
    this.setHyperparameter('beta1', value);
  }

  /** Decay of the second moment, in [0, 1) (group 0's; setting it sets every group's). */
  get beta2(): number {
    return this.hyperparameter('beta2');
  }

  /** Sets `beta2` in every parameter group (checked before the next step). */
  set beta2(value: number) {
    this.setHyperparameter('beta2', value);
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup<AdamHyperparameter>, step: number): ParameterUpdate {
    return this.adamUpdate(param, param, grad, group, step);
  }

  /** Adam's update of `param` whose current value is `value` (AdamW's: the decayed weights). */
  protected adamUpdate(
    param: Tensor,
    value: Tensor,
    grad: Tensor,
    group: ParamGroup<AdamHyperparameter>,
    step: number,
  ): ParameterUpdate {
    const { lr, beta1, beta2 } = group;
    const lrT = (lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
    const m0 = this.stateOf(param, 'm');
    const v0 = this.stateOf(param, 'v');
    const m = add(m0, mul(sub(grad, m0), 1 - beta1));
    const v = add(v0, mul(sub(mul(grad, grad), v0), 1 - beta2));
    return { param: sub(value, div(mul(m, lrT), add(sqrt(v), 1e-7))), state: { m, v } };
  }
}
