import { checkShape, defineNode, normalizeAxis, type Tensor } from '@graphgrad/core';
import { reshape } from './reshape.ts';
import { sum } from './sum.ts';
import { requireFloat, requireInteger } from './validate.ts';

/** The Repeat node (numpy's `repeat`: each element copied `times` times along `axis`). */
export const RepeatNode = defineNode<{
  /** The axis along which elements are copied, non-negative. */
  axis: number;
  /** Copies of each element. */
  times: number;
}>({
  kind: 'Repeat',
  inputs: ['x'],
  forward: (k, [x], { axis, times }) => {
    const before = x.shape.slice(0, axis + 1);
    const after = x.shape.slice(axis + 1);
    const column = k.Reshape(x, [...before, 1, ...after]);
    const copies = k.BroadcastTo(column, [...before, times, ...after]);
    return k.Reshape(copies, [...x.shape.slice(0, axis), x.shape[axis] * times, ...after]);
  },
  // dx = dy summed over the copies (Repeat's backward is Sum)
  backward: ({ inputs: [x], attrs: { axis, times } }, dy) => [
    sum(reshape(dy, [...x.shape.slice(0, axis + 1), times, ...x.shape.slice(axis + 1)]), axis + 1),
  ],
});

/**
 * Repeats each element `times` times along `axis`, like `numpy.repeat(x, times, axis)`: the book's
 * Repeat node copies a [1, D] row to [N, D].
 *
 * @example
 * repeat(b, 0, 30); // [1, 10] -> [30, 10]
 */
export function repeat(x: Tensor, axis: number, times: number): Tensor {
  requireFloat('repeat', x);
  const a = normalizeAxis('repeat', axis, x.rank);
  requireInteger('repeat', times, 'times');
  checkShape(
    'repeat',
    x.shape.map((n, d) => (d === a ? n * times : n)),
  );
  return RepeatNode.apply([x], { axis: a, times });
}
