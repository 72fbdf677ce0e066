import { defineNode, type Tensor } from '@graphgrad/core';
import { elementwiseOperands, type Operand } from './validate.ts';

/** The Mul node. */
export const MulNode = defineNode({
  kind: 'Mul',
  inputs: ['a', 'b'],
  forward: (k, [a, b]) => k.Mul(a, b),
  // da = dy·b, db = dy·a (each only when wanted: a constant factor needs no gradient)
  backward: (ctx, dy) => [
    ctx.needsGrad(0) ? mul(dy, ctx.inputs[1]) : null,
    ctx.needsGrad(1) ? mul(dy, ctx.inputs[0]) : null,
  ],
});

/**
 * Elementwise a · b with numpy broadcasting; a number operand takes the other's dtype.
 *
 * @example
 * mul(tensor([[1, 2], [3, 4]]), tensor([10, 20])); // broadcasts the row
 */
export function mul(a: Operand, b: Operand): Tensor {
  return MulNode.apply(elementwiseOperands('mul', a, b));
}
