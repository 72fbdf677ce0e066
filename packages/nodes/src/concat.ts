import {
  describeValue,
  ArgumentError,
  BackendError,
  defineNode,
  DTypeError,
  formatShape,
  normalizeAxis,
  ShapeError,
  type Tensor,
} from '@graphgrad/core';
import { regionAlong, SliceNode } from './slice.ts';
import { requireTensor } from './validate.ts';

/** The Concat node: tensors joined along an existing axis, in one new array. */
export const ConcatNode = defineNode<{
  /** The axis joined along, non-negative. */
  axis: number;
}>({
  kind: 'Concat',
  inputs: ['xs'],
  forward: (k, xs, { axis }) => k.Concat(xs, axis),
  // dxᵢ = dy[..., offsetᵢ : offsetᵢ + nᵢ, ...]: each input's stretch of the axis (views)
  backward: (ctx, dy) => {
    const axis = ctx.attrs.axis;
    let at = 0;
    return ctx.inputs.map((x, i) => {
      const start = at;
      at += x.shape[axis];
      return ctx.needsGrad(i) ? SliceNode.apply([dy], regionAlong(dy.shape, axis, start, x.shape[axis])) : null;
    });
  },
});

/**
 * Checks the list of tensors a join takes: a non-empty list of tensors of one dtype, on one
 * backend. Shapes are the caller's to check.
 */
export function checkJoinList(op: string, xs: readonly Tensor[]): void {
  // NOTE: tested as unknown: Array.isArray would narrow a readonly list to any[].
  const list: unknown = xs;
  if (!Array.isArray(list)) {
    throw new ArgumentError(`${op}: xs must be a list of tensors, got ${describeValue(list)}`);
  }
  if (xs.length === 0) throw new ArgumentError(`${op}: xs must hold at least one tensor, got an empty list`);
  xs.forEach((x, i) => requireTensor(op, x, `xs[${i}]`));
  const first = xs[0];
  xs.forEach((x, i) => {
    if (x.dtype !== first.dtype) {
      throw new DTypeError(`${op}: xs[${i}] is ${x.dtype} but xs[0] is ${first.dtype}; the tensors must share a dtype`);
    }
    if (x.backend !== first.backend) {
      throw new BackendError(
        `${op}: xs[${i}] is on ${x.backend.name === first.backend.name ? `another ${first.backend.name} backend instance` : `the ${x.backend.name} backend`}, ` +
          `xs[0] on the ${first.backend.name} backend; move one with await t.to(backend)`,
      );
    }
  });
}

/**
 * Joins tensors along an existing axis, like `np.concatenate(xs, axis)` / `torch.cat(xs, dim)`:
 * every tensor has the same rank (at least 1), dtype and lengths on every other axis. The result is
 * a new array; each input's gradient is its stretch of the output's gradient (a view).
 *
 * @example
 * concat([a, b], 1);   // [N, 3] and [N, 2] -> [N, 5]
 * concat([h0, h1]);    // along axis 0: [2, H] and [3, H] -> [5, H]
 */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  checkJoinList('concat', xs);
  const first = xs[0];
  if (first.rank === 0) {
    throw new ShapeError(
      `concat: xs[0] is a scalar ${formatShape(first.shape)}; concat joins along an axis (stack joins scalars)`,
    );
  }
  const ax = normalizeAxis('concat', axis, first.rank);
  xs.forEach((x, i) => {
    if (x.rank !== first.rank || x.shape.some((n, d) => d !== ax && n !== first.shape[d])) {
      throw new ShapeError(
        `concat: xs[${i}] is ${formatShape(x.shape)} but xs[0] is ${formatShape(first.shape)}; ` +
          `they must agree on every axis but axis ${ax}`,
      );
    }
  });
  return ConcatNode.apply(xs, { axis: ax });
}
