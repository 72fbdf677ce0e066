import { AddNode, type Tensor } from '@graphgrad/core';
import { elementwiseOperands, type Operand } from './validate.ts';

// The Add node itself is core's: the engine adds the gradients that meet at a branch with it.

/**
 * Elementwise a + b with numpy broadcasting; a number operand takes the other's dtype.
 *
 * @example
 * add(tensor([[1, 2], [3, 4]]), tensor([10, 20])); // broadcasts the row
 */
export function add(a: Operand, b: Operand): Tensor {
  return AddNode.apply(elementwiseOperands('add', a, b));
}
