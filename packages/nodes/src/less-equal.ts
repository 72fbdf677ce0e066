import type { Tensor } from '@graphgrad/core';
import { GreaterEqualNode } from './greater-equal.ts';
import { elementwiseOperands, type Operand } from './validate.ts';

/**
 * 1 where a ≤ b, else 0 (in the inputs' dtype: float32, float64 or int32), with broadcasting; a
 * comparison with NaN is 0. It is b ≥ a: a GreaterEqual node with its operands swapped. Not
 * differentiable: use it as a mask.
 *
 * @example
 * lessEqual(tensor([1, 2, 3]), 2); // [1, 1, 0]
 */
export function lessEqual(a: Operand, b: Operand): Tensor {
  const [ta, tb] = elementwiseOperands('lessEqual', a, b, 'comparable');
  return GreaterEqualNode.apply([tb, ta]);
}
