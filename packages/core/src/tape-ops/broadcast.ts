import { ShapeError } from '../errors.ts';
import { defineNode } from '../node.ts';
import { broadcastsTo, formatShape, shapesEqual, type Shape } from '../shape.ts';
import type { Tensor } from '../tensor.ts';

// A broadcast and the sum that undoes it are each other's backward, so they share this file: the
// engine sums every gradient shaped like a broadcast back to its input's shape with `sumTo`.

/** The BroadcastTo node: `x` repeated along new leading axes and along its axes of length 1. */
export const BroadcastToNode = defineNode<{
  /** The shape broadcast to. */
  shape: Shape;
}>({
  kind: 'BroadcastTo',
  inputs: ['x'],
  forward: (k, [x], { shape }) => k.BroadcastTo(x, shape),
  // dx = dy summed over the broadcast axes (a broadcast's backward is a sum)
  backward: ({ inputs: [x] }, dy) => [sumTo(dy, x.shape)],
});

/** The SumTo node: `x` summed over the axes along which `shape` was broadcast to reach it. */
export const SumToNode = defineNode<{
  /** The axes summed, sorted and non-negative. */
  axes: readonly number[];
  /** Whether the sum keeps the summed axes (as length 1) before taking `shape`. */
  keepDims: boolean;
  /** The result's shape. */
  shape: Shape;
}>({
  kind: 'SumTo',
  inputs: ['x'],
  forward: (k, [x], { axes, keepDims, shape }) => {
    const summed = k.Sum(x, axes, keepDims);
    return shapesEqual(summed.shape, shape) ? summed : k.Reshape(summed, shape);
  },
  // dx = dy repeated along the summed axes (a sum's backward is a broadcast)
  backward: ({ inputs: [x] }, dy) => [broadcastTo(dy, x.shape)],
});

/**
 * Broadcasts `x` to `shape` by numpy's rules (a view where the backend can). Trusts that `x` is a
 * Tensor and `shape` a shape: the engine and the gradient rules call it; users get the checked
 * one in broadcast-api.ts.
 */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  if (!broadcastsTo(x.shape, shape))
    throw new ShapeError(`broadcastTo: cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`);
  return BroadcastToNode.apply([x], { shape: [...shape] });
}

/**
 * Sums `x` over the axes along which it was broadcast from `shape`, returning a tensor of `shape`:
 * the gradient of a broadcast. `x` itself when nothing was broadcast. Trusts its arguments like
 * `broadcastTo` (the engine calls it for every broadcast input).
 */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  if (!broadcastsTo(shape, x.shape))
    throw new ShapeError(`sumTo: ${formatShape(x.shape)} is not a broadcast of ${formatShape(shape)}`);
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
  if (axes.length === 0 && lead === 0) return x;
  // Leading axes alone come off without keeping them (a bias's gradient needs no reshape).
  return SumToNode.apply([x], { axes, keepDims: lead === 0 || inner, shape: [...shape] });
}
