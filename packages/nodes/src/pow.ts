import { defineNode, type Tensor } from '@graphgrad/core';
import { equal } from './equal.ts';
import { greaterEqual } from './greater-equal.ts';
import { log } from './log.ts';
import { mul } from './mul.ts';
import { sub } from './sub.ts';
import { elementwiseOperands, type Operand } from './validate.ts';
import { where } from './where.ts';

/** The Pow node, y = aᵇ. */
export const PowNode = defineNode({
  kind: 'Pow',
  inputs: ['a', 'b'],
  saveOutputs: true,
  forward: (k, [a, b]) => k.Pow(a, b),
  // da = dy·b·a^(b-1), 0 where b = 0; db = dy·y·log(a), 0 where a = 0 and b ≥ 0 (PyTorch's conventions)
  backward: (ctx, dy) => {
    const [a, b] = ctx.inputs;
    const [y] = ctx.outputs;
    return [
      ctx.needsGrad(0) ? where(equal(b, 0), 0, mul(dy, mul(b, pow(a, sub(b, 1))))) : null,
      ctx.needsGrad(1) ? where(mul(equal(a, 0), greaterEqual(b, 0)), 0, mul(dy, mul(y, log(a)))) : null,
    ];
  },
});

/**
 * Elementwise aᵇ with numpy broadcasting; either may be a number (`pow(x, 2)`, `pow(2, x)`). C's pow,
 * as numpy's and PyTorch's: 1ʸ and x⁰ are 1 even for NaN, a negative base takes integer exponents
 * only (NaN otherwise), 0 to a negative power is ∞. The gradients follow PyTorch at 0: the base's is
 * 0 where the exponent is 0 (not 0·0⁻¹), the exponent's is 0 where the base is 0 and the exponent
 * ≥ 0 (not 0·log 0).
 *
 * @example
 * pow(x, 3);                  // x³
 * pow(tensor([2, 3]), x);     // 2ˣ, 3ˣ along the last axis
 */
export function pow(a: Operand, b: Operand): Tensor {
  return PowNode.apply(elementwiseOperands('pow', a, b));
}
