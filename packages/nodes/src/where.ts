import { broadcastShapes, defineNode, DTypeError, type Tensor, type FloatDType } from '@graphgrad/core';
import { operands, requireTensor, scalarLike, type Operand } from './validate.ts';

/** The Where node: picks `a` where `cond` is nonzero and `b` elsewhere. */
export const WhereNode = defineNode({
  kind: 'Where',
  inputs: ['cond', 'a', 'b'],
  differentiable: [false, true, true],
  forward: (k, [cond, a, b]) => k.Where(cond, a, b),
  // da = dy where cond, db = dy elsewhere (0 in the other places)
  backward: (ctx, dy) => {
    const cond = ctx.inputs[0];
    return [null, ctx.needsGrad(1) ? where(cond, dy, 0) : null, ctx.needsGrad(2) ? where(cond, 0, dy) : null];
  },
});

/**
 * `a` where `cond` is nonzero, else `b`, elementwise, the three broadcast together numpy's way
 * (`np.where`, `torch.where`). `cond` is a mask such as the comparisons return (a float or int32
 * tensor; any nonzero value, NaN included, counts as true); `a` and `b` share a dtype, and a number
 * takes the other's (both numbers take `cond`'s float dtype, or float32). The gradient flows to
 * `a` where `cond` holds and to `b` elsewhere; `cond` gets none.
 *
 * @example
 * where(greater(x, 0), x, mul(x, 0.1)); // a leaky ReLU
 */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  requireTensor('where', cond, 'cond');
  if (cond.dtype !== 'int32' && cond.dtype !== 'float32' && cond.dtype !== 'float64')
    throw new DTypeError(
      `where: input 'cond' is ${cond.dtype as string}; where needs a float32, float64 or int32 condition`,
    );
  let ta: Tensor;
  let tb: Tensor;
  if (typeof a === 'number' && typeof b === 'number') {
    const dtype: FloatDType = cond.dtype === 'int32' ? 'float32' : cond.dtype;
    ta = scalarLike(a, cond, dtype);
    tb = scalarLike(b, cond, dtype);
  } else [ta, tb] = operands('where', a, b, 'comparable');
  broadcastShapes('where', broadcastShapes('where', cond.shape, ta.shape), tb.shape);
  return WhereNode.apply([cond, ta, tb]);
}
