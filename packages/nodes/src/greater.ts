import { defineNode, type Tensor } from '@graphgrad/core';
import { elementwiseOperands, type Operand } from './validate.ts';

/** The Greater node: a 0/1 mask, constant with respect to both inputs. */
export const GreaterNode = defineNode({
  kind: 'Greater',
  inputs: ['a', 'b'],
  differentiable: [false, false],
  forward: (k, [a, b]) => k.Greater(a, b),
  // a step function: its derivative is 0 wherever it exists
  backward: () => [null, null],
});

/**
 * 1 where a > b, else 0 (in the inputs' dtype: float32, float64 or int32), with broadcasting; a
 * comparison with NaN is 0. Not differentiable: use it as a mask.
 *
 * @example
 * mul(x, greater(x, 0)); // ReLU
 */
export function greater(a: Operand, b: Operand): Tensor {
  return GreaterNode.apply(elementwiseOperands('greater', a, b, 'comparable'));
}
