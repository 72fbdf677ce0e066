import { defineNode, formatShape, ShapeError, type Tensor } from '@graphgrad/core';
import { operands } from './validate.ts';

/** Transpose flags of a matrix product. */
export interface MatMulOptions {
  /** Use aᵀ in place of a (no copy is made). */
  transposeA?: boolean;
  /** Use bᵀ in place of b (no copy is made). */
  transposeB?: boolean;
}

/** The MatMul node: y = op(a)·op(b), op transposing when its flag is set. */
export const MatMulNode = defineNode<Required<MatMulOptions>>({
  kind: 'MatMul',
  inputs: ['a', 'b'],
  forward: (k, [a, b], { transposeA, transposeB }) => k.MatMul(a, b, transposeA, transposeB),
  // dA = dY·Bᵀ, dB = Aᵀ·dY (for op(A) = Aᵀ the gradient is transposed back: dA = B·dYᵀ, and likewise for B)
  // Each only when wanted: a batch of data multiplied by a weight needs no gradient of its own.
  backward: (ctx, dy) => {
    const [a, b] = ctx.inputs;
    const { transposeA, transposeB } = ctx.attrs;
    return [
      !ctx.needsGrad(0)
        ? null
        : transposeA
          ? matmul(b, dy, { transposeA: transposeB, transposeB: true })
          : matmul(dy, b, { transposeB: !transposeB }),
      !ctx.needsGrad(1)
        ? null
        : transposeB
          ? matmul(dy, a, { transposeA: true, transposeB: transposeA })
          : matmul(a, dy, { transposeA: !transposeA }),
    ];
  },
});

/**
 * The matrix product of two 2-D tensors, with optional transposes that cost no copy.
 *
 * @example
 * matmul(x, W);                         // [N, I]·[I, H] -> [N, H]
 * matmul(dy, W, { transposeB: true });  // dy·Wᵀ
 */
export function matmul(a: Tensor, b: Tensor, options: MatMulOptions = {}): Tensor {
  const [ta, tb] = operands('matmul', a, b);
  const { transposeA = false, transposeB = false } = options;
  if (ta.rank !== 2 || tb.rank !== 2) {
    throw new ShapeError(`matmul: needs 2-D tensors, got ${formatShape(ta.shape)} and ${formatShape(tb.shape)}`);
  }
  const inner = transposeA ? ta.shape[0] : ta.shape[1];
  const innerB = transposeB ? tb.shape[1] : tb.shape[0];
  if (inner !== innerB) {
    const describe = (t: Tensor, transposed: boolean): string => `${formatShape(t.shape)}${transposed ? 'ᵀ' : ''}`;
    throw new ShapeError(`matmul: cannot multiply ${describe(ta, transposeA)} by ${describe(tb, transposeB)}`);
  }
  return MatMulNode.apply([ta, tb], { transposeA, transposeB });
}
