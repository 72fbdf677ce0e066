import type { Tensor } from '@graphgrad/core';
import { sqrt } from './sqrt.ts';
import { requireFloat, requireOptions } from './validate.ts';
import { variance, type VarianceOptions } from './variance.ts';

/**
 * The standard deviation along `axis` (a number, a list, or every axis when omitted): the square
 * root of `variance` with the same options (`torch.std`, default correction 1). Its gradient is
 * NaN (0/0) where every element of a slice is equal, as PyTorch's.
 *
 * @example
 * std(tensor([1, 2, 3, 4]));        // 1.2910
 * std(x, 0, { keepDims: true });   // per column
 */
export function std(x: Tensor, axis?: number | readonly number[], options: VarianceOptions = {}): Tensor {
  requireFloat('std', x);
  requireOptions('std', options);
  return sqrt(variance(x, axis, options));
}
