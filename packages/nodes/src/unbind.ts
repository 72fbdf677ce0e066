import { defineNode, normalizeAxis, type Tensor } from '@graphgrad/core';
import { regionAlong } from './slice.ts';
import { StackNode } from './stack.ts';
import { requireTensor } from './validate.ts';

/** The Unbind node: every position of an axis as its own tensor, the axis removed; each a view. */
export const UnbindNode = defineNode<{
  /** The axis taken apart, non-negative. */
  axis: number;
}>({
  kind: 'Unbind',
  inputs: ['x'],
  forward: (k, [x], { axis }) =>
    Array.from({ length: x.shape[axis] }, (_, i) => {
      const { starts, steps, lengths, shape } = regionAlong(x.shape, axis, i, 1, true);
      return k.Reshape(k.Slice(x, starts, steps, lengths), shape);
    }),
  // dx = stack(dy₀, dy₁, …) along the axis (the engine gives an unused position a gradient of zeros)
  backward: ({ attrs: { axis } }, ...dys) => [StackNode.apply(dys, { axis })],
});

/**
 * Every position of `axis` as its own tensor with that axis removed, like `torch.unbind(x, dim)`:
 * each a view of `x`. The way to walk a sequence: `unbind(xs, 1)` gives the T time steps [N, D]
 * of an [N, T, D] batch, and their gradients come back in one stack (where T separate slices
 * would each write a full-size gradient). An axis of length 0 gives an empty list.
 *
 * @example
 * for (const xt of unbind(xs, 1)) h = tanh(add(matmul(xt, Wx), matmul(h, Wh))); // xs[:, t, :]
 */
export function unbind(x: Tensor, axis = 0): Tensor[] {
  requireTensor('unbind', x);
  const ax = normalizeAxis('unbind', axis, x.rank);
  if (x.shape[ax] === 0) return [];
  return UnbindNode.applyMany([x], { axis: ax });
}
