import { normalizeAxes, type Tensor } from '@graphgrad/core';
import { div } from './div.ts';
import { sum } from './sum.ts';
import { requireFloat } from './validate.ts';

/**
 * Mean along `axis` (a number, a list, or every axis when omitted): a Sum divided by the count, so
 * it needs no gradient rule of its own.
 *
 * @example
 * mean(losses); // scalar
 */
export function mean(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  requireFloat('mean', x);
  const axes = normalizeAxes('mean', axis, x.rank);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return div(sum(x, axes, keepDims), count);
}
