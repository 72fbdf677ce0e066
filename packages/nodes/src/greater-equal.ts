import { defineNode, type Tensor } from '@graphgrad/core';
import { elementwiseOperands, type Operand } from './validate.ts';

/** The GreaterEqual node: a 0/1 mask, constant with respect to both inputs. */
export const GreaterEqualNode = defineNode({
  kind: 'GreaterEqual',
  inputs: ['a', 'b'],
  differentiable: [false, false],
  forward: (k, [a, b]) => k.GreaterEqual(a, b),
  // a step function: its derivative is 0 wherever it exists
  backward: () => [null, null],
});

/**
 * 1 where a ≥ b, else 0 (in the inputs' dtype: float32, float64 or int32), with broadcasting; a
 * comparison with NaN is 0. Not differentiable: use it as a mask.
 *
 * @example
 * greaterEqual(tensor([1, 2, 3]), 2); // [0, 1, 1]
 */
export function greaterEqual(a: Operand, b: Operand): Tensor {
  return GreaterEqualNode.apply(elementwiseOperands('greaterEqual', a, b, 'comparable'));
}
