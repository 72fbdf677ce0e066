import { formatShape, normalizeAxes, ShapeError, type Tensor } from '@graphgrad/core';
import { reshape } from './reshape.ts';
import { requireTensor } from './validate.ts';

/**
 * Removes axes of length 1, like `np.squeeze(x, axis)`: every such axis when `axes` is omitted,
 * otherwise the ones named (negative counts from the end), each of which must have length 1 (as in
 * numpy; PyTorch would skip the others silently). A reshape: a view, and its gradient is `dy`
 * reshaped back.
 *
 * @example
 * squeeze(x);        // [N, 1, D, 1] -> [N, D]
 * squeeze(x, 1);     // [N, 1, D] -> [N, D]
 * squeeze(x, [-1]);  // [N, D, 1] -> [N, D]
 */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  requireTensor('squeeze', x);
  const drop =
    axes === undefined ? x.shape.flatMap((n, d) => (n === 1 ? [d] : [])) : normalizeAxes('squeeze', axes, x.rank);
  for (const d of drop) {
    if (x.shape[d] !== 1) {
      throw new ShapeError(
        `squeeze: axis ${d} of ${formatShape(x.shape)} has length ${x.shape[d]}; only axes of length 1 can be removed`,
      );
    }
  }
  return reshape(
    x,
    x.shape.filter((_, d) => !drop.includes(d)),
  );
}
