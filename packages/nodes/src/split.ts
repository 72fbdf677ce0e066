import {
  ArgumentError,
  defineNode,
  describeValue,
  formatShape,
  normalizeAxis,
  ShapeError,
  type Tensor,
} from '@graphgrad/core';
import { ConcatNode } from './concat.ts';
import { regionAlong } from './slice.ts';
import { requireTensor } from './validate.ts';

/** The Split node: consecutive pieces of `x` along an axis, each a view; one node, several outputs. */
export const SplitNode = defineNode<{
  /** The axis split, non-negative. */
  axis: number;
  /** The length of each piece along the axis (they sum to the axis's length). */
  sizes: readonly number[];
}>({
  kind: 'Split',
  inputs: ['x'],
  forward: (k, [x], { axis, sizes }) => {
    let at = 0;
    return sizes.map((n) => {
      const { starts, steps, lengths } = regionAlong(x.shape, axis, at, n);
      at += n;
      return k.Slice(x, starts, steps, lengths);
    });
  },
  // dx = concat(dy₀, dy₁, …) along the axis (the engine gives an unused piece a gradient of zeros)
  backward: ({ attrs: { axis } }, ...dys) => [ConcatNode.apply(dys, { axis })],
});

/** The sizes of the pieces `sizesOrCount` asks for along an axis of `length`, or a clear error. */
function pieceSizes(sizesOrCount: number | readonly number[], length: number, axis: number, x: Tensor): number[] {
  if (typeof sizesOrCount === 'number') {
    const count = sizesOrCount;
    if (!Number.isInteger(count) || count < 1) {
      throw new ArgumentError(`split: the number of pieces must be a positive integer, got ${describeValue(count)}`);
    }
    if (length % count !== 0) {
      throw new ShapeError(
        `split: axis ${axis} of length ${length} (shape ${formatShape(x.shape)}) does not divide into ${count} equal pieces; pass the sizes instead`,
      );
    }
    return new Array<number>(count).fill(length / count);
  }
  if (!Array.isArray(sizesOrCount) || sizesOrCount.length === 0) {
    throw new ArgumentError(
      `split: sizesOrCount must be a number of equal pieces or a non-empty list of sizes, got ${describeValue(sizesOrCount)}`,
    );
  }
  const sizes = sizesOrCount as readonly unknown[];
  const bad = sizes.findIndex((n) => typeof n !== 'number' || !Number.isInteger(n) || n < 0);
  if (bad >= 0) {
    throw new ArgumentError(`split: size ${bad} is ${describeValue(sizes[bad])}; sizes are non-negative integers`);
  }
  const total = (sizes as number[]).reduce((a, b) => a + b, 0);
  if (total !== length) {
    throw new ShapeError(
      `split: sizes ${describeValue(sizes)} sum to ${total}, but axis ${axis} of ${formatShape(x.shape)} has length ${length}`,
    );
  }
  return [...(sizes as number[])];
}

/**
 * Splits `x` along `axis` into consecutive pieces, each a view of `x` (no copy): `sizesOrCount` is
 * either a number of equal pieces (numpy's `np.split(x, 4, axis)`; the axis must divide evenly) or
 * the list of their lengths, which must sum to the axis's length (`torch.split(x, [2, 3], dim)`).
 * One node with several outputs: the backward is one concatenation of the pieces' gradients.
 *
 * @example
 * const [f, g, i, o] = split(gates, 4, 1); // an LSTM's [N, 4H] gates -> four [N, H] views
 * const [head, tail] = split(x, [1, 4]);   // [5, D] -> [1, D] and [4, D]
 */
export function split(x: Tensor, sizesOrCount: number | readonly number[], axis = 0): Tensor[] {
  requireTensor('split', x);
  const ax = normalizeAxis('split', axis, x.rank);
  return SplitNode.applyMany([x], { axis: ax, sizes: pieceSizes(sizesOrCount, x.shape[ax], ax, x) });
}
