import {
  ArgumentError,
  defineNode,
  describeValue,
  formatShape,
  ShapeError,
  sizeOf,
  type Shape,
  type Tensor,
} from '@graphgrad/core';
import { requireTensor } from './validate.ts';

/** The Reshape node. */
export const ReshapeNode = defineNode<{
  /** The new shape, fully resolved (no -1). */
  shape: Shape;
}>({
  kind: 'Reshape',
  inputs: ['x'],
  forward: (k, [x], { shape }) => k.Reshape(x, shape),
  // dx = dy reshaped back
  backward: ({ inputs: [x] }, dy) => [reshape(dy, x.shape)],
});

/** Resolves one -1 in `shape` against `size` elements. */
function resolveShape(x: Tensor, shape: Shape): number[] {
  const list: unknown = shape;
  if (!Array.isArray(list))
    throw new ArgumentError(`reshape: a shape is a list of integers, got ${describeValue(list)}`);
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new ArgumentError(
      `reshape: ${describeValue(shape)} is not a shape (non-negative integers and at most one -1)`,
    );
  }
  const known = sizeOf(shape.filter((d) => d !== -1));
  const resolved = shape.map((d) => (d === -1 ? (known === 0 ? 0 : x.size / known) : d));
  if (sizeOf(resolved) !== x.size || !resolved.every(Number.isInteger)) {
    throw new ShapeError(
      `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)}`,
    );
  }
  return resolved;
}

/**
 * The same elements (row-major order) under a new shape; one length may be -1 (inferred).
 *
 * @example
 * reshape(x, [2, -1]);
 */
export function reshape(x: Tensor, shape: Shape): Tensor {
  requireTensor('reshape', x);
  return ReshapeNode.apply([x], { shape: resolveShape(x, shape) });
}
