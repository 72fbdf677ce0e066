import {
  defineNode,
  type NodeKind,
  DTypeError,
  formatShape,
  normalizeAxis,
  ShapeError,
  shapesEqual,
  type Tensor,
} from '@graphgrad/core';
import { indexOutside, requireFloat, requireInteger, requireTensor } from './validate.ts';

// A gather and the scatter-add that undoes it are each other's backward, so they share this file.

/** The attributes of a Gather node. */
export interface GatherAttrs {
  /** The axis picked along, non-negative. */
  axis: number;
}

/** The attributes of a SegmentSum node. */
export interface SegmentSumAttrs {
  /** The axis of the output the indices address, non-negative. */
  axis: number;
  /** The output's length along `axis`. */
  size: number;
}

/** The Gather node: slices of `x` along `axis` picked by int32 indices (numpy's take). */
export const GatherNode: NodeKind<GatherAttrs> = defineNode<GatherAttrs>({
  kind: 'Gather',
  inputs: ['x', 'indices'],
  differentiable: [true, false],
  forward: (k, [x, indices], { axis }) => k.Gather(x, indices, axis),
  // dx = each slice of dy added back where it was picked (a scatter-add into zeros)
  backward: ({ inputs: [x, indices], attrs: { axis } }, dy) => [
    SegmentSumNode.apply([dy, indices], { axis, size: x.shape[axis] }),
    null,
  ],
});

/** The SegmentSum node: slices of `values` added into zeros at their indices along `axis` (the adjoint of Gather). */
export const SegmentSumNode: NodeKind<SegmentSumAttrs> = defineNode<SegmentSumAttrs>({
  kind: 'SegmentSum',
  inputs: ['values', 'indices'],
  differentiable: [true, false],
  forward: (k, [values, indices], { axis, size }) => k.ScatterAdd(values, indices, axis, size),
  // dvalues = dy gathered at the indices
  backward: ({ inputs: [, indices], attrs: { axis } }, dy) => [GatherNode.apply([dy, indices], { axis }), null],
});

/** Throws a `DTypeError` naming `op` unless `indices` are int32. */
export function requireIndices(op: string, indices: unknown, input = 'indices'): asserts indices is Tensor {
  requireTensor(op, indices, input);
  if (indices.dtype !== 'int32') throw new DTypeError(`${op}: ${input} must be int32, got ${indices.dtype}`);
}

/** `count entries along axis a of [shape]`, or `count rows of [shape]` for axis 0, for messages. */
export function describeAxis(shape: readonly number[], axis: number): string {
  return axis === 0
    ? `the ${shape[0]} rows of ${formatShape(shape)}`
    : `the ${shape[axis]} entries along axis ${axis} of ${formatShape(shape)}`;
}

/**
 * Slices of `x` along `axis` (default 0) picked by int32 `indices` of any shape: numpy's
 * `take(x, indices, axis)`, of shape `[...x.shape[:axis], ...indices.shape, ...x.shape[axis+1:]]`.
 * Along axis 0 it picks a minibatch, or embeddings by id. Its gradient adds each picked slice's
 * gradient back where it came from (repeated indices add up); it costs the slices picked, not the
 * length of `x` along the axis. Indices outside the axis are rejected wherever the host can read
 * them (always on the CPU; on WebGPU for indices uploaded from the host); indices only the device
 * knows give slices of NaN there instead.
 *
 * @example
 * const batch = gather(x, tensor([4, 0, 7], { dtype: 'int32' }));     // rows 4, 0 and 7
 * const cols = gather(x, tensor([[2, 0]], { dtype: 'int32' }), 1);   // [N, 1, 2]
 */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  requireTensor('gather', x);
  requireIndices('gather', indices);
  if (x.rank < 1) throw new ShapeError(`gather: x must have at least one axis, got ${formatShape(x.shape)}`);
  const a = normalizeAxis('gather', axis, x.rank);
  const bad = indexOutside(indices, x.shape[a]);
  if (bad !== undefined) throw new ShapeError(`gather: index ${bad} is outside ${describeAxis(x.shape, a)}`);
  return GatherNode.apply([x, indices], { axis: a });
}

/**
 * Sums the slices of `values` that share an index: a zero tensor of length `size` along `axis`,
 * into which slice `i` of `values` is added at `indices[i]` (TensorFlow's `unsorted_segment_sum`,
 * `jax.ops.segment_sum`, along any axis). `values` holds one slice per index:
 * `values.shape = [...out.shape[:axis], ...indices.shape, ...out.shape[axis+1:]]`. It is the adjoint of
 * `gather` (its backward), and its own gradient is a gather of dy. The rows no index names cost nothing.
 *
 * @example
 * const ids = tensor([2, 0, 2], { dtype: 'int32' });
 * segmentSum(tensor([[1, 1], [2, 2], [3, 3]]), ids, 4); // [[2,2],[0,0],[4,4],[0,0]]
 */
export function segmentSum(values: Tensor, indices: Tensor, size: number, axis = 0): Tensor {
  requireFloat('segmentSum', values, 'values');
  requireIndices('segmentSum', indices);
  requireInteger('segmentSum', size, 'size');
  const rank = values.rank - indices.rank + 1;
  if (rank < 1) {
    throw new ShapeError(
      `segmentSum: values ${formatShape(values.shape)} have fewer axes than indices ${formatShape(indices.shape)}`,
    );
  }
  const a = normalizeAxis('segmentSum', axis, rank);
  const held = values.shape.slice(a, a + indices.rank);
  if (!shapesEqual(held, indices.shape)) {
    throw new ShapeError(
      `segmentSum: values ${formatShape(values.shape)} must hold indices ${formatShape(indices.shape)} ` +
        `from axis ${a}, got ${formatShape(held)} there`,
    );
  }
  const bad = indexOutside(indices, size);
  if (bad !== undefined) throw new ShapeError(`segmentSum: index ${bad} is outside [0, ${size})`);
  return SegmentSumNode.apply([values, indices], { axis: a, size });
}
