import { defineNode, type Tensor } from '@graphgrad/core';
import { elementwiseOperands, type Operand } from './validate.ts';
import { mul } from './mul.ts';
import { neg } from './neg.ts';

/** The Div node. */
export const DivNode = defineNode({
  kind: 'Div',
  inputs: ['a', 'b'],
  forward: (k, [a, b]) => k.Div(a, b),
  // da = dy / b, db = -dy·a / b² (each only when wanted)
  backward: (ctx, dy) => {
    const [a, b] = ctx.inputs;
    return [ctx.needsGrad(0) ? div(dy, b) : null, ctx.needsGrad(1) ? neg(div(mul(dy, a), mul(b, b))) : null];
  },
});

/**
 * Elementwise a / b with numpy broadcasting; a number operand takes the other's dtype.
 *
 * @example
 * div(tensor([[1, 2], [3, 4]]), tensor([10, 20])); // broadcasts the row
 */
export function div(a: Operand, b: Operand): Tensor {
  return DivNode.apply(elementwiseOperands('div', a, b));
}
