import { broadcastShapes, defineNode, type Tensor } from '@graphgrad/core';
import { operands, type Operand } from './validate.ts';
import { mul } from './mul.ts';
import { neg } from './neg.ts';

/** The Div node. */
export const DivNode = defineNode({
  kind: 'Div',
  inputs: ['a', 'b'],
  forward: (k, [a, b]) => k.Div(a, b),
  // da = dy / b, db = -dy·a / b²
  backward: ({ inputs: [a, b] }, dy) => [div(dy, b), neg(div(mul(dy, a), mul(b, b)))],
});

/**
 * Elementwise a / b with numpy broadcasting; a number operand takes the other's dtype.
 *
 * @example
 * div(tensor([[1, 2], [3, 4]]), tensor([10, 20])); // broadcasts the row
 */
export function div(a: Operand, b: Operand): Tensor {
  const [ta, tb] = operands('div', a, b);
  broadcastShapes('div', ta.shape, tb.shape);
  return DivNode.apply([ta, tb]);
}
