import { ArgumentError, broadcastShapes, defineNode, describeValue, DTypeError, Tensor } from '@graphgrad/core';
import { greater } from './greater.ts';
import { greaterEqual } from './greater-equal.ts';
import { less } from './less.ts';
import { lessEqual } from './less-equal.ts';
import { maximum } from './maximum.ts';
import { mul } from './mul.ts';
import { requireFloat, scalarLike, type Operand } from './validate.ts';
import { where } from './where.ts';

/** The Clamp node, y = min(max(x, lo), hi), with either bound optional. */
export const ClampNode = defineNode<{
  /** Whether the lower bound applies (else `lo` is a placeholder). */
  lower: boolean;
  /** Whether the upper bound applies (else `hi` is a placeholder). */
  upper: boolean;
}>({
  kind: 'Clamp',
  inputs: ['x', 'min', 'max'],
  forward: (k, [x, lo, hi], { lower, upper }) => {
    if (!upper) return k.Maximum(x, lo);
    return k.Minimum(lower ? k.Maximum(x, lo) : x, hi);
  },
  // dx = dy where lo ≤ x ≤ hi; dlo = dy where x < lo < hi; dhi = dy where x > hi or hi < lo (PyTorch's)
  backward: (ctx, dy) => {
    const [x, lo, hi] = ctx.inputs;
    const { lower, upper } = ctx.attrs;
    const inside =
      lower && upper ? mul(greaterEqual(x, lo), lessEqual(x, hi)) : lower ? greaterEqual(x, lo) : lessEqual(x, hi);
    return [
      ctx.needsGrad(0) ? where(inside, dy, 0) : null,
      ctx.needsGrad(1) ? where(upper ? mul(less(x, lo), less(lo, hi)) : less(x, lo), dy, 0) : null,
      ctx.needsGrad(2) ? where(lower ? maximum(greater(x, hi), less(hi, lo)) : greater(x, hi), dy, 0) : null,
    ];
  },
});

/**
 * Limits x to [min, max] elementwise (`torch.clamp`, `np.clip`): either bound may be omitted, and
 * each is a number or a tensor broadcast against x. Where min > max every element is max; a NaN in
 * x or a bound gives NaN. The gradient reaches x where min ≤ x ≤ max (the bounds included), and a
 * tensor bound where it took effect.
 *
 * @example
 * clamp(tensor([-2, 0.5, 3]), 0, 1);     // [0, 0.5, 1]
 * clamp(logits, undefined, 20);          // an upper bound only
 */
export function clamp(x: Tensor, min?: Operand, max?: Operand): Tensor {
  requireFloat('clamp', x);
  if (min === undefined && max === undefined)
    throw new ArgumentError('clamp: give min, max or both (both are undefined)');
  for (const [name, bound] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (bound === undefined || typeof bound === 'number') continue;
    if (!(bound instanceof Tensor))
      throw new ArgumentError(`clamp: ${name} must be a number or a Tensor, got ${describeValue(bound)}`);
    if (bound.dtype !== x.dtype) throw new DTypeError(`clamp: ${name} is ${bound.dtype}, x is ${x.dtype}`);
    broadcastShapes('clamp', x.shape, bound.shape);
  }
  const lo = min === undefined ? -Infinity : min;
  const hi = max === undefined ? Infinity : max;
  return ClampNode.apply(
    [x, typeof lo === 'number' ? scalarLike(lo, x) : lo, typeof hi === 'number' ? scalarLike(hi, x) : hi],
    { lower: min !== undefined, upper: max !== undefined },
  );
}
