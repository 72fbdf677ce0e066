import { defineNode, shapesEqual, type NodeKind, type Shape, type Tensor } from '@graphgrad/core';
import { resolveSlice, type ScatterRegion, type SliceIndex, type SliceRegion } from './slice-index.ts';
import { requireTensor } from './validate.ts';

// A slice and the scatter that undoes it are each other's backward, so they share this file.

/** The Slice node: the region of `x` an index reads (a view where the backend can make one). */
export const SliceNode: NodeKind<SliceRegion> = defineNode<SliceRegion>({
  kind: 'Slice',
  inputs: ['x'],
  forward: (k, [x], { starts, steps, lengths, shape }) => {
    const region = k.Slice(x, starts, steps, lengths);
    // Dropping picked axes and adding new ones only touches axes of length 1: still a view.
    return shapesEqual(lengths, shape) ? region : k.Reshape(region, shape);
  },
  // dx = zeros like x with dy written into the region read (the engine adds up overlapping slices)
  backward: ({ inputs: [x], attrs }, dy) => [SliceScatterNode.apply([dy], { ...attrs, into: x.shape })],
});

/**
 * The SliceScatter node: zeros of shape `into` with `x` (shaped like the slice `starts`, `steps`,
 * `lengths` gives, `shape`) written into that region: a slice's backward, `torch.slice_scatter`
 * into zeros. Its own backward is the slice again.
 */
export const SliceScatterNode: NodeKind<ScatterRegion> = defineNode<ScatterRegion>({
  kind: 'SliceScatter',
  inputs: ['x'],
  forward: (k, [x], { starts, steps, lengths, into }) =>
    k.SliceScatter(shapesEqual(x.shape, lengths) ? x : k.Reshape(x, lengths), starts, steps, into),
  // dx = dy read at the region written
  backward: ({ attrs: { starts, steps, lengths, shape } }, dy) => [
    SliceNode.apply([dy], { starts, steps, lengths, shape }),
  ],
});

/**
 * The region `[start, start + length)` of `axis` of a tensor of `shape`, every other axis whole; with
 * `drop`, a single position whose axis is dropped (`x[:, i]`).
 */
export function regionAlong(shape: Shape, axis: number, start: number, length: number, drop = false): SliceRegion {
  const starts = shape.map((_, d) => (d === axis ? start : 0));
  const lengths = shape.map((n, d) => (d === axis ? length : n));
  return {
    starts,
    steps: shape.map(() => 1),
    lengths,
    shape: drop ? lengths.filter((_, d) => d !== axis) : lengths,
  };
}

/**
 * numpy's basic indexing, `x[index]`: per axis the whole axis (`null`), one position (a number,
 * which drops the axis), or `[start, stop, step?]` with negative positions counted from the end
 * and bounds out of range clamped; `'...'` stands for the axes the index leaves out, and
 * `'newaxis'` adds an axis of length 1. The index may also be written in numpy's syntax, as a
 * string. Steps may be negative, as numpy allows (`x[::-1]`).
 *
 * The result is a view of `x` (no copy) when every step is positive; a negative step copies. Its
 * gradient writes `dy` into zeros shaped like `x` (the SliceScatter node), and the gradients of
 * several slices of one tensor add up. To visit every position of an axis in a loop (every time
 * step of a sequence), `unbind` is cheaper in the backward: one stack instead of one full-size
 * scatter per position.
 *
 * @example
 * slice(x, [null, [1, 3]]);     // x[:, 1:3]
 * slice(x, ':, 1:3');           // the same, in numpy's syntax
 * slice(x, [null, -1]);         // x[:, -1]: the last column, [N, D] -> [N]
 * slice(x, ['...', [1, 3]]);    // x[..., 1:3]
 * slice(h, [null, t, null]);    // h[:, t, :]: [N, T, H] -> [N, H]
 * slice(x, [[null, null, -1]]); // x[::-1]: reversed along axis 0 (a copy)
 * slice(x, [null, 'newaxis']);  // x[:, None]: [N, D] -> [N, 1, D]
 */
export function slice(x: Tensor, index: SliceIndex): Tensor {
  requireTensor('slice', x);
  return SliceNode.apply([x], resolveSlice('slice', x.shape, index));
}
