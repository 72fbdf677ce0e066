import { reducedShape, type Tensor } from '@graphgrad/core';
import { div } from './div.ts';
import { equal } from './equal.ts';
import { mul } from './mul.ts';
import { reshape } from './reshape.ts';
import { sum } from './sum.ts';

/**
 * The gradient of a max or min reduction y of x along `axes`, given dy: dy goes to the elements
 * equal to their slice's extremum, split evenly among ties (PyTorch's amax and amin), so that the
 * gradients of a slice still add up to dy.
 */
export function extremumGradient(x: Tensor, y: Tensor, dy: Tensor, axes: readonly number[], keepDims: boolean): Tensor {
  const kept = reducedShape(x.shape, axes, true);
  const ties = equal(x, keepDims ? y : reshape(y, kept));
  const share = div(keepDims ? dy : reshape(dy, kept), sum(ties, axes, true));
  return mul(ties, share);
}
