import { defineNode, type Tensor } from '@graphgrad/core';
import { elementwiseOperands, type Operand } from './validate.ts';

/** The Add node. */
export const AddNode = defineNode({
  kind: 'Add',
  inputs: ['a', 'b'],
  forward: (k, [a, b]) => k.Add(a, b),
  // da = dy, db = dy (the engine sums each back to its input's shape)
  backward: (_ctx, dy) => [dy, dy],
});

/**
 * Elementwise a + b with numpy broadcasting; a number operand takes the other's dtype.
 *
 * @example
 * add(tensor([[1, 2], [3, 4]]), tensor([10, 20])); // broadcasts the row
 */
export function add(a: Operand, b: Operand): Tensor {
  return AddNode.apply(elementwiseOperands('add', a, b));
}
