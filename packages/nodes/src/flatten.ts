import { ArgumentError, normalizeAxis, sizeOf, type Tensor } from '@graphgrad/core';
import { reshape } from './reshape.ts';
import { requireTensor } from './validate.ts';

/**
 * Merges the axes `startAxis` to `endAxis` (both included; negative counts from the end) into one,
 * like `torch.flatten(x, start_dim, end_dim)`: by default every axis, so the result is 1-D (a
 * scalar becomes [1]). A reshape: a view of contiguous data, and its gradient is `dy` reshaped back.
 *
 * @example
 * flatten(x);        // [N, C, H, W] -> [N·C·H·W]
 * flatten(x, 1);     // [N, C, H, W] -> [N, C·H·W], the input of an Affine layer
 * flatten(x, 0, 1);  // [N, T, D] -> [N·T, D]
 */
export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  requireTensor('flatten', x);
  // A scalar is flattened as if it were [1], as PyTorch does.
  const shape = x.rank === 0 ? [1] : x.shape;
  const start = normalizeAxis('flatten', startAxis, shape.length);
  const end = normalizeAxis('flatten', endAxis, shape.length);
  if (start > end) {
    throw new ArgumentError(
      `flatten: startAxis ${startAxis} comes after endAxis ${endAxis} (axes ${start} and ${end} of rank ${shape.length})`,
    );
  }
  return reshape(x, [...shape.slice(0, start), sizeOf(shape.slice(start, end + 1)), ...shape.slice(end + 1)]);
}
