import { defineNode, type Tensor } from '@graphgrad/core';
import { elementwiseOperands, type Operand } from './validate.ts';

/** The NotEqual node: a 0/1 mask, constant with respect to both inputs. */
export const NotEqualNode = defineNode({
  kind: 'NotEqual',
  inputs: ['a', 'b'],
  differentiable: [false, false],
  forward: (k, [a, b]) => k.NotEqual(a, b),
  // a step function: its derivative is 0 wherever it exists
  backward: () => [null, null],
});

/**
 * 1 where a ≠ b, else 0 (in the inputs' dtype: float32, float64 or int32), with broadcasting; NaN
 * differs from everything, itself included. Not differentiable: use it as a mask.
 *
 * @example
 * notEqual(labels, -100); // 1 for the labels to keep (int32)
 */
export function notEqual(a: Operand, b: Operand): Tensor {
  return NotEqualNode.apply(elementwiseOperands('notEqual', a, b, 'comparable'));
}
