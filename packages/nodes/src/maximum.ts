import { defineNode, type Tensor } from '@graphgrad/core';
import { equal } from './equal.ts';
import { greater } from './greater.ts';
import { mul } from './mul.ts';
import { elementwiseOperands, type Operand } from './validate.ts';
import { where } from './where.ts';

/** The Maximum node, y = max(a, b) elementwise. */
export const MaximumNode = defineNode({
  kind: 'Maximum',
  inputs: ['a', 'b'],
  forward: (k, [a, b]) => k.Maximum(a, b),
  // da = dy where a > b, dy/2 where a = b, else 0; db likewise (ties split evenly, as PyTorch's)
  backward: (ctx, dy) => {
    const [a, b] = ctx.inputs;
    const half = where(equal(a, b), mul(dy, 0.5), 0);
    return [
      ctx.needsGrad(0) ? where(greater(a, b), dy, half) : null,
      ctx.needsGrad(1) ? where(greater(b, a), dy, half) : null,
    ];
  },
});

/**
 * Elementwise maximum of a and b with numpy broadcasting (`np.maximum`, `torch.maximum`): NaN in
 * either gives NaN. Where a = b the gradient is split evenly between them.
 *
 * @example
 * maximum(tensor([1, 5]), tensor([3, 2])); // [3, 5]
 */
export function maximum(a: Operand, b: Operand): Tensor {
  return MaximumNode.apply(elementwiseOperands('maximum', a, b));
}
