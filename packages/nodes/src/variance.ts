import { ArgumentError, normalizeAxes, type Tensor } from '@graphgrad/core';
import { div } from './div.ts';
import { mean } from './mean.ts';
import { square } from './square.ts';
import { sub } from './sub.ts';
import { sum } from './sum.ts';
import { describeValue, requireFloat, requireOptions } from './validate.ts';

/** Options of `variance` and `std`. */
export interface VarianceOptions {
  /** Subtracted from the count of elements before dividing (default 1, Bessel's correction; 0 gives the population variance). */
  correction?: number;
  /** Keep the reduced axes as length 1 (default false). */
  keepDims?: boolean;
}

/**
 * The variance along `axis` (a number, a list, or every axis when omitted): Σ(x - mean)² / (N -
 * correction), like `torch.var` (whose default correction is 1, where numpy's ddof is 0). With N ≤
 * correction it is Infinity or NaN, as there. Composed of mean, sub, square, sum and div, whose
 * gradients give 2(x - mean)/(N - correction).
 *
 * @example
 * variance(tensor([1, 2, 3, 4]));                      // 1.6667
 * variance(tensor([1, 2, 3, 4]), 0, { correction: 0 }); // 1.25
 */
export function variance(x: Tensor, axis?: number | readonly number[], options: VarianceOptions = {}): Tensor {
  requireFloat('variance', x);
  requireOptions('variance', options);
  const axes = normalizeAxes('variance', axis, x.rank);
  const correction = options.correction ?? 1;
  if (typeof correction !== 'number' || !Number.isFinite(correction))
    throw new ArgumentError(`variance: correction must be a finite number, got ${describeValue(correction)}`);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  const centered = sub(x, mean(x, axes, true));
  return div(sum(square(centered), axes, options.keepDims ?? false), count - correction);
}
