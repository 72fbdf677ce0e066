import {
  broadcastsTo,
  DTypeError,
  broadcastTo,
  defineNode,
  formatShape,
  normalizeAxis,
  ShapeError,
  shapesEqual,
  type Tensor,
} from '@graphgrad/core';
import { add } from './add.ts';
import { describeAxis, GatherNode, requireIndices, SegmentSumNode } from './gather.ts';
import { indexOutside, requireFloat } from './validate.ts';

/** The IndexAdd node: `x` with slices of `values` added at `indices` along `axis` (out of place). */
export const IndexAddNode = defineNode<{
  /** The axis of `x` the indices address, non-negative. */
  axis: number;
}>({
  kind: 'IndexAdd',
  inputs: ['x', 'indices', 'values'],
  differentiable: [true, false, true],
  // x + the values summed into zeros at their indices: x is copied once, the rows not picked cost nothing more
  compose: ([x, indices, values], { axis }) =>
    add(x, SegmentSumNode.apply([values, indices], { axis, size: x.shape[axis] })),
  // dx = dy, dvalues = dy gathered at the indices
  backward: ({ inputs: [, indices], attrs: { axis } }, dy) => [dy, null, GatherNode.apply([dy, indices], { axis })],
});

/**
 * `x` with each slice of `values` added to the slice of `x` its index names along `axis`, repeated
 * indices adding up: PyTorch's `index_add(x, axis, indices, values)` (out of place), for int32
 * indices of any shape, which is numpy's `np.add.at` on a copy of `x`. `values` is
 * `[...x.shape[:axis], ...indices.shape, ...x.shape[axis+1:]]`, or broadcasts to it. (PyTorch's
 * `scatter_add`, which takes an index per element, is another operation.)
 *
 * @example
 * const ids = tensor([0, 2, 0], { dtype: 'int32' });
 * indexAdd(zeros([3, 2]), 0, ids, ones([3, 2])); // [[2,2],[0,0],[1,1]]
 */
export function indexAdd(x: Tensor, axis: number, indices: Tensor, values: Tensor): Tensor {
  requireFloat('indexAdd', x, 'x');
  requireFloat('indexAdd', values, 'values');
  requireIndices('indexAdd', indices);
  if (values.dtype !== x.dtype)
    throw new DTypeError(`indexAdd: dtypes differ: x is ${x.dtype}, values is ${values.dtype}`);
  if (x.rank < 1) throw new ShapeError(`indexAdd: x must have at least one axis, got ${formatShape(x.shape)}`);
  const a = normalizeAxis('indexAdd', axis, x.rank);
  const expected = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  const exact = shapesEqual(values.shape, expected);
  if (!exact && !broadcastsTo(values.shape, expected)) {
    throw new ShapeError(
      `indexAdd: values ${formatShape(values.shape)} do not fit indices ${formatShape(indices.shape)} along ` +
        `axis ${a} of x ${formatShape(x.shape)} (expected ${formatShape(expected)})`,
    );
  }
  const bad = indexOutside(indices, x.shape[a]);
  if (bad !== undefined) throw new ShapeError(`indexAdd: index ${bad} is outside ${describeAxis(x.shape, a)}`);
  return IndexAddNode.apply([x, indices, exact ? values : broadcastTo(values, expected)], { axis: a });
}
