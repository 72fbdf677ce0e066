import {
  AxisError,
  defineNode,
  describeValue,
  formatShape,
  shapesEqual,
  ShapeError,
  type Tensor,
} from '@graphgrad/core';
import { checkJoinList } from './concat.ts';
import { regionAlong, SliceNode } from './slice.ts';

/** The Stack node: tensors of one shape joined along a new axis, in one new array. */
export const StackNode = defineNode<{
  /** The new axis's place in the result, non-negative. */
  axis: number;
}>({
  kind: 'Stack',
  inputs: ['xs'],
  forward: (k, xs, { axis }) => {
    const shape = xs[0].shape;
    const withAxis = [...shape.slice(0, axis), 1, ...shape.slice(axis)];
    // Each input gains the axis as a view; the one copy is the Concat.
    return k.Concat(
      xs.map((x) => k.Reshape(x, withAxis)),
      axis,
    );
  },
  // dxᵢ = dy[..., i, ...]: position i of the new axis (a view)
  backward: (ctx, dy) =>
    ctx.inputs.map((_, i) =>
      ctx.needsGrad(i) ? SliceNode.apply([dy], regionAlong(dy.shape, ctx.attrs.axis, i, 1, true)) : null,
    ),
});

/**
 * Joins tensors of one shape along a new axis, like `np.stack(xs, axis)` / `torch.stack(xs, dim)`:
 * `axis` may be any of the rank + 1 places (negative counts from the end). T hidden states
 * [N, H] stacked along axis 1 make the [N, T, H] sequence, in one copy. Each input's gradient is
 * its position of the output's gradient (a view).
 *
 * @example
 * stack([h0, h1, h2], 1); // three [N, H] -> [N, 3, H]
 * stack([a, b]);          // two [D] -> [2, D]
 */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  checkJoinList('stack', xs);
  const first = xs[0];
  xs.forEach((x, i) => {
    if (!shapesEqual(x.shape, first.shape)) {
      throw new ShapeError(
        `stack: xs[${i}] is ${formatShape(x.shape)} but xs[0] is ${formatShape(first.shape)}; stack needs equal shapes`,
      );
    }
  });
  const rank = first.rank + 1;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new AxisError(
      `stack: axis ${describeValue(axis)} is out of range for stacking tensors of rank ${first.rank} (the result has rank ${rank})`,
    );
  }
  return StackNode.apply(xs, { axis: axis < 0 ? axis + rank : axis });
}
