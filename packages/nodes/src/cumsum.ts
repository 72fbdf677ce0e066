import { defineNode, normalizeAxis, type Tensor } from '@graphgrad/core';
import { requireFloat, requireOptions } from './validate.ts';

/** The Cumsum node: running sums along one axis. */
export const CumsumNode = defineNode<{
  /** The axis summed along, non-negative. */
  axis: number;
  /** Sum from the last element backwards. */
  reverse: boolean;
}>({
  kind: 'Cumsum',
  inputs: ['x'],
  forward: (k, [x], { axis, reverse }) => k.Cumsum(x, axis, reverse),
  // dx = the running sums of dy in the other direction (each x[i] reaches every y[j] with j ≥ i)
  backward: ({ attrs: { axis, reverse } }, dy) => [runningSums(dy, axis, !reverse)],
});

function runningSums(x: Tensor, axis: number, reverse: boolean): Tensor {
  return CumsumNode.apply([x], { axis, reverse });
}

/**
 * Running sums along `axis`: y[i] = x[0] + … + x[i] (`np.cumsum`, `torch.cumsum`); with
 * `reverse`, y[i] = x[i] + … + x[n-1] (jax's `cumsum(reverse=True)`).
 *
 * @example
 * cumsum(tensor([1, 2, 3]), 0);                     // [1, 3, 6]
 * cumsum(tensor([1, 2, 3]), 0, { reverse: true });  // [6, 5, 3]
 */
export function cumsum(x: Tensor, axis: number, options: { reverse?: boolean } = {}): Tensor {
  requireFloat('cumsum', x);
  requireOptions('cumsum', options);
  return runningSums(x, normalizeAxis('cumsum', axis, x.rank), options.reverse === true);
}
