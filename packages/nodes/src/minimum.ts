import { defineNode, type Tensor } from '@graphgrad/core';
import { equal } from './equal.ts';
import { less } from './less.ts';
import { mul } from './mul.ts';
import { elementwiseOperands, type Operand } from './validate.ts';
import { where } from './where.ts';

/** The Minimum node, y = min(a, b) elementwise. */
export const MinimumNode = defineNode({
  kind: 'Minimum',
  inputs: ['a', 'b'],
  forward: (k, [a, b]) => k.Minimum(a, b),
  // da = dy where a < b, dy/2 where a = b, else 0; db likewise (ties split evenly, as PyTorch's)
  backward: (ctx, dy) => {
    const [a, b] = ctx.inputs;
    const half = where(equal(a, b), mul(dy, 0.5), 0);
    return [
      ctx.needsGrad(0) ? where(less(a, b), dy, half) : null,
      ctx.needsGrad(1) ? where(less(b, a), dy, half) : null,
    ];
  },
});

/**
 * Elementwise minimum of a and b with numpy broadcasting (`np.minimum`, `torch.minimum`): NaN in
 * either gives NaN. Where a = b the gradient is split evenly between them.
 *
 * @example
 * minimum(tensor([1, 5]), tensor([3, 2])); // [1, 2]
 */
export function minimum(a: Operand, b: Operand): Tensor {
  return MinimumNode.apply(elementwiseOperands('minimum', a, b));
}
