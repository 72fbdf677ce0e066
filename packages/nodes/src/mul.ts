import { broadcastShapes, defineNode, type Tensor } from '@graphgrad/core';
import { operands, type Operand } from './validate.ts';

/** The Mul node. */
export const MulNode = defineNode({
  kind: 'Mul',
  inputs: ['a', 'b'],
  forward: (k, [a, b]) => k.Mul(a, b),
  // da = dy·b, db = dy·a
  backward: ({ inputs: [a, b] }, dy) => [mul(dy, b), mul(dy, a)],
});

/**
 * Elementwise a · b with numpy broadcasting; a number operand takes the other's dtype.
 *
 * @example
 * mul(tensor([[1, 2], [3, 4]]), tensor([10, 20])); // broadcasts the row
 */
export function mul(a: Operand, b: Operand): Tensor {
  const [ta, tb] = operands('mul', a, b);
  broadcastShapes('mul', ta.shape, tb.shape);
  return MulNode.apply([ta, tb]);
}
