import { broadcastsTo, defineNode, formatShape, ShapeError, type Shape, type Tensor } from '@graphgrad/core';
import { sumTo } from './sum.ts';

/** The BroadcastTo node. */
export const BroadcastToNode = defineNode<{
  /** The shape broadcast to. */
  shape: Shape;
}>({
  kind: 'BroadcastTo',
  inputs: ['x'],
  forward: (k, [x], { shape }) => k.BroadcastTo(x, shape),
  // dx = dy summed over the broadcast axes (a broadcast's backward is Sum)
  backward: ({ inputs: [x] }, dy) => [sumTo(dy, x.shape)],
});

/**
 * Broadcasts `x` to `shape` by numpy's rules (a view where the backend can).
 *
 * @example
 * broadcastTo(b, [30, 10]); // [1, 10] -> [30, 10]
 */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  if (!broadcastsTo(x.shape, shape)) throw new ShapeError(`broadcastTo: cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`);
  return BroadcastToNode.apply([x], { shape: [...shape] });
}
