import { DTypeError, formatShape, ShapeError, shapesEqual, type Tensor } from '@graphgrad/core';
import { square } from '../square.ts';
import { sub } from '../sub.ts';
import { requireFloat, requireOptions } from '../validate.ts';
import { checkReduction, reduceLoss, type LossReduction } from './reduction.ts';

/**
 * The squared error (a - b)², elementwise, reduced by `reduction`: `'mean'` (default), `'sum'` or
 * `'none'` (`torch.nn.functional.mse_loss`). The two must have one shape (PyTorch broadcasts with a
 * warning that it is probably a mistake; here it is an error). Composed of sub, square and mean.
 *
 * @example
 * mseLoss(prediction, target);                      // a scalar
 * mseLoss(prediction, target, { reduction: 'sum' });
 */
export function mseLoss(a: Tensor, b: Tensor, options: { reduction?: LossReduction } = {}): Tensor {
  requireFloat('mseLoss', a, 'a');
  requireOptions('mseLoss', options);
  requireFloat('mseLoss', b, 'b');
  if (a.dtype !== b.dtype) throw new DTypeError(`mseLoss: dtypes differ: a is ${a.dtype}, b is ${b.dtype}`);
  if (!shapesEqual(a.shape, b.shape))
    throw new ShapeError(`mseLoss: a ${formatShape(a.shape)} and b ${formatShape(b.shape)} must have one shape`);
  const reduction = options.reduction ?? 'mean';
  checkReduction('mseLoss', reduction);
  return reduceLoss(square(sub(a, b)), reduction);
}
