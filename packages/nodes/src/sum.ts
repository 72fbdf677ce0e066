import { broadcastTo, defineNode, normalizeAxes, reducedShape, type Tensor } from '@graphgrad/core';
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
