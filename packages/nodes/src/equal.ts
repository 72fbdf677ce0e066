import { defineNode, type Tensor } from '@graphgrad/core';
import { elementwiseOperands, type Operand } from './validate.ts';

/** The Equal node: a 0/1 mask, constant with respect to both inputs. */
export const EqualNode = defineNode({
  kind: 'Equal',
  inputs: ['a', 'b'],
  differentiable: [false, false],
  forward: (k, [a, b]) => k.Equal(a, b),
  // a step function: its derivative is 0 wherever it exists
  backward: () => [null, null],
});

/**
 * 1 where a = b, else 0 (in the inputs' dtype: float32, float64 or int32), with broadcasting; NaN
 * equals nothing, itself included, and -0 equals 0. Not differentiable: use it as a mask.
 *
 * @example
 * equal(argmax(scores), labels); // 1 where the prediction is right (int32)
 */
export function equal(a: Operand, b: Operand): Tensor {
  return EqualNode.apply(elementwiseOperands('equal', a, b, 'comparable'));
}
