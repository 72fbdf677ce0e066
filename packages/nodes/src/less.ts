import type { Tensor } from '@graphgrad/core';
import { GreaterNode } from './greater.ts';
import { elementwiseOperands, type Operand } from './validate.ts';

/**
 * 1 where a < b, else 0 (in the inputs' dtype: float32, float64 or int32), with broadcasting; a
 * comparison with NaN is 0. It is b > a: a Greater node with its operands swapped. Not
 * differentiable: use it as a mask.
 *
 * @example
 * less(tensor([1, 2, 3]), 2); // [1, 0, 0]
 */
export function less(a: Operand, b: Operand): Tensor {
  const [ta, tb] = elementwiseOperands('less', a, b, 'comparable');
  return GreaterNode.apply([tb, ta]);
}
