import { defineNode, type Tensor } from '@graphgrad/core';
import { elementwiseOperands, type Operand } from './validate.ts';
import { neg } from './neg.ts';

/** The Sub node. */
export const SubNode = defineNode({
  kind: 'Sub',
  inputs: ['a', 'b'],
  forward: (k, [a, b]) => k.Sub(a, b),
  // da = dy, db = -dy
  backward: (ctx, dy) => [dy, ctx.needsGrad(1) ? neg(dy) : null],
});

/**
 * Elementwise a - b with numpy broadcasting; a number operand takes the other's dtype.
 *
 * @example
 * sub(tensor([[1, 2], [3, 4]]), tensor([10, 20])); // broadcasts the row
 */
export function sub(a: Operand, b: Operand): Tensor {
  return SubNode.apply(elementwiseOperands('sub', a, b));
}
