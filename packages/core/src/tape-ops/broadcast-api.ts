// The public broadcastTo and sumTo: the checked doors to broadcast.ts, whose functions the engine
// calls. They live apart because checking for a Tensor needs the Tensor class, which needs the
// engine, which needs broadcast.ts.
import { describeValue } from '../describe-value.ts';
import { ArgumentError } from '../errors.ts';
import { checkShape, type Shape } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import * as trusted from './broadcast.ts';

/** Throws unless `x` is a Tensor and `shape` a shape a tensor can have. */
function checkArguments(op: string, x: unknown, shape: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`${op}: x must be a Tensor, got ${describeValue(x)}`);
  checkShape(op, shape);
}

/**
 * Broadcasts `x` to `shape` by numpy's rules (a view where the backend can).
 *
 * @example
 * broadcastTo(b, [30, 10]); // [1, 10] -> [30, 10]
 */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  checkArguments('broadcastTo', x, shape);
  return trusted.broadcastTo(x, shape);
}

/**
 * Sums `x` over the axes along which it was broadcast from `shape`, returning a tensor of `shape`:
 * the gradient of a broadcast. `x` itself when nothing was broadcast.
 *
 * @example
 * sumTo(dy, [1, 10]); // [30, 10] -> [1, 10], a bias's gradient
 */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  checkArguments('sumTo', x, shape);
  return trusted.sumTo(x, shape);
}
