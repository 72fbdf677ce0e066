import { defineNode, normalizeAxes, type Tensor } from '@graphgrad/core';
import { extremumGradient } from './extremum-gradient.ts';
import { requireFloat, requireNonEmptyReduction } from './validate.ts';

/** The Min node: the smallest element along the axes. */
export const MinNode = defineNode<{
  /** The axes reduced, sorted and non-negative. */
  axes: readonly number[];
  /** Whether the reduced axes stay as length 1. */
  keepDims: boolean;
}>({
  kind: 'Min',
  inputs: ['x'],
  saveOutputs: true,
  forward: (k, [x], { axes, keepDims }) => k.Min(x, axes, keepDims),
  // dx = dy·[x = y] / #{x = y}: split evenly among the tied minima
  backward: ({ inputs: [x], outputs: [y], attrs: { axes, keepDims } }, dy) => [
    extremumGradient(x, y, dy, axes, keepDims),
  ],
});

/**
 * The smallest element along `axis` (a number, a list, or every axis when omitted), like numpy's
 * `min` and PyTorch's `amin`: NaN in a slice gives NaN. The gradient goes to the smallest elements,
 * split evenly among ties. A reduced axis of length 0 is an error (the minimum of nothing).
 *
 * @example
 * min(tensor([[1, 5], [7, 2]]), 1); // [1, 2]
 */
export function min(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  requireFloat('min', x);
  const axes = normalizeAxes('min', axis, x.rank);
  requireNonEmptyReduction('min', x, axes);
  return MinNode.apply([x], { axes, keepDims });
}
