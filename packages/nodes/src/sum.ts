import { defineNode, normalizeAxes, reducedShape, type Tensor } from '@graphgrad/core';
import { broadcastTo } from './broadcast-to.ts';
import { reshape } from './reshape.ts';
import { requireFloat } from './validate.ts';

/** The Sum node. */
export const SumNode = defineNode<{
  /** The axes summed, sorted and non-negative. */
  axes: readonly number[];
  /** Whether the summed axes stay as length 1. */
  keepDims: boolean;
}>({
  kind: 'Sum',
  inputs: ['x'],
  forward: (k, [x], { axes, keepDims }) => k.Sum(x, axes, keepDims),
  // dx = dy repeated along the summed axes (Sum's backward is Repeat)
  backward: ({ inputs: [x], attrs: { axes, keepDims } }, dy) => [
    broadcastTo(keepDims ? dy : reshape(dy, reducedShape(x.shape, axes, true)), x.shape),
  ],
});

/**
 * Sum along `axis` (a number, a list, or every axis when omitted), like numpy's `sum`.
 *
 * @example
 * sum(x);            // scalar
 * sum(x, 0, true);   // [N, D] -> [1, D]
 */
export function sum(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  requireFloat('sum', x);
  return SumNode.apply([x], { axes: normalizeAxes('sum', axis, x.rank), keepDims });
}

/**
 * Sums `x` over the axes along which it was broadcast from `shape`, returning a tensor of `shape`:
 * the gradient of a broadcast.
 */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  requireFloat('sumTo', x);
  const lead = x.rank - shape.length;
  const axes: number[] = [];
  let inner = false;
  for (let i = 0; i < x.rank; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && x.shape[i] !== 1) {
      axes.push(i);
      inner = true;
    }
  }
  if (axes.length === 0) return x.rank === shape.length ? x : reshape(x, shape);
  // The axes are computed here, sorted and in range: the node is applied without normalizeAxes,
  // and without a Reshape node where the sum alone gives `shape` (a bias's gradient: leading axes only).
  if (lead === 0) return SumNode.apply([x], { axes, keepDims: true });
  if (!inner) return SumNode.apply([x], { axes, keepDims: false });
  return reshape(SumNode.apply([x], { axes, keepDims: true }), shape);
}
