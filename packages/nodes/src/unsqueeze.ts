import { AxisError, describeValue, type Tensor } from '@graphgrad/core';
import { reshape } from './reshape.ts';
import { requireTensor } from './validate.ts';

/**
 * Inserts an axis of length 1 at `axis`, like `torch.unsqueeze(x, dim)` / `np.expand_dims`:
 * `axis` is a place in the result, from -(rank + 1) to rank (negative counts from the end). A
 * reshape: a view, and its gradient is `dy` reshaped back.
 *
 * @example
 * unsqueeze(b, 0);   // [D] -> [1, D]
 * unsqueeze(h, -1);  // [N, H] -> [N, H, 1]
 */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  requireTensor('unsqueeze', x);
  const rank = x.rank + 1;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new AxisError(
      `unsqueeze: axis ${describeValue(axis)} is out of range for a new axis of a tensor of rank ${x.rank} (from ${-rank} to ${x.rank})`,
    );
  }
  const at = axis < 0 ? axis + rank : axis;
  return reshape(x, [...x.shape.slice(0, at), 1, ...x.shape.slice(at)]);
}
