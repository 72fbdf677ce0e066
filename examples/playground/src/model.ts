/**
 * The model the page trains: the book's TwoLayerNet (the same class the Node examples use) and
 * the optimizers of @graphgrad/optim, each with a learning rate that trains it on the spiral.
 */
import type { Tensor } from '@graphgrad/core';
import { AdaGrad, Adam, Momentum, RMSprop, SGD, type Optimizer } from '@graphgrad/optim';
import { TwoLayerNet } from '../../two-layer-net.ts';

export { TwoLayerNet };

/** The optimizers the page offers. */
export const OPTIMIZER_NAMES = ['SGD', 'Momentum', 'AdaGrad', 'RMSprop', 'Adam'] as const;

/** One of `OPTIMIZER_NAMES`. */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/**
 * The learning rate the page proposes when an optimizer is picked. SGD's is the book's 1.0; the
 * others were chosen from runs of 300 epochs (batch 30, hidden 10) that end below the book's loss
 * of about 0.13. The book's defaults (0.01, 0.001 for Adam) also train, only far more slowly.
 */
export const DEFAULT_LEARNING_RATES: Readonly<Record<OptimizerName, number>> = {
  SGD: 1.0,
  Momentum: 0.3,
  AdaGrad: 0.3,
  RMSprop: 0.03,
  Adam: 0.03,
};

/**
 * Whether `name` is one of the page's optimizers (a narrowing for values read from the form).
 *
 * @example
 * isOptimizerName('Adam'); // true
 */
export function isOptimizerName(name: string): name is OptimizerName {
  return (OPTIMIZER_NAMES as readonly string[]).includes(name);
}

/**
 * A new optimizer `name` over `params` with learning rate `lr` (its other hyperparameters are the
 * book's defaults).
 *
 * @example
 * const optimizer = createOptimizer('Adam', model.params, 0.03);
 */
export function createOptimizer(name: OptimizerName, params: readonly Tensor[], lr: number): Optimizer {
  switch (name) {
    case 'SGD':
      return new SGD(params, { lr });
    case 'Momentum':
      return new Momentum(params, { lr });
    case 'AdaGrad':
      return new AdaGrad(params, { lr });
    case 'RMSprop':
      return new RMSprop(params, { lr });
    case 'Adam':
      return new Adam(params, { lr });
  }
}
