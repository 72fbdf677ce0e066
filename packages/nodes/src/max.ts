import { defineNode, normalizeAxes, type Tensor } from '@graphgrad/core';
import { extremumGradient } from './extremum-gradient.ts';
import { requireFloat, requireNonEmptyReduction } from './validate.ts';

/** The Max node: the largest element along the axes. */
export const MaxNode = defineNode<{
  /** The axes reduced, sorted and non-negative. */
  axes: readonly number[];
  /** Whether the reduced axes stay as length 1. */
  keepDims: boolean;
}>({
  kind: 'Max',
  inputs: ['x'],
  saveOutputs: true,
  forward: (k, [x], { axes, keepDims }) => k.Max(x, axes, keepDims),
  // dx = dy·[x = y] / #{x = y}: split evenly among the tied maxima
  backward: ({ inputs: [x], outputs: [y], attrs: { axes, keepDims } }, dy) => [
    extremumGradient(x, y, dy, axes, keepDims),
  ],
});

/**
 * The largest element along `axis` (a number, a list, or every axis when omitted), like numpy's
 * `max` and PyTorch's `amax`: NaN in a slice gives NaN. The gradient goes to the largest elements,
 * split evenly among ties. A reduced axis of length 0 is an error (the maximum of nothing).
 *
 * @example
 * max(tensor([[1, 5], [7, 2]]), 1); // [5, 7]
 * max(x);                           // the largest element, a scalar
 */
export function max(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  requireFloat('max', x);
  const axes = normalizeAxes('max', axis, x.rank);
  requireNonEmptyReduction('max', x, axes);
  return MaxNode.apply([x], { axes, keepDims });
}
