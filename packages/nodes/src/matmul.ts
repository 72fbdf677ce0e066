import { broadcastable, defineNode, formatShape, ShapeError, sizeOf, type Tensor } from '@graphgrad/core';
import { reshape } from './reshape.ts';
import { operands, requireOptions } from './validate.ts';

/** Transpose flags of a matrix product. */
export interface MatMulOptions {
  /** Use aᵀ (its last two axes swapped) in place of a (no copy is made). */
  transposeA?: boolean;
  /** Use bᵀ (its last two axes swapped) in place of b (no copy is made). */
  transposeB?: boolean;
}

/** The MatMul node: y = op(a)·op(b) over the last two axes, batch axes broadcast, op transposing when its flag is set. */
export const MatMulNode = defineNode<Required<MatMulOptions>>({
  kind: 'MatMul',
  inputs: ['a', 'b'],
  forward: (k, [a, b], { transposeA, transposeB }) => k.MatMul(a, b, transposeA, transposeB),
  // dA = dY·Bᵀ, dB = Aᵀ·dY (for op(A) = Aᵀ the gradient is transposed back: dA = B·dYᵀ, and likewise for B)
  // Each only when wanted: a batch of data multiplied by a weight needs no gradient of its own. A
  // gradient over broadcast batch axes is summed back by the engine; a weight shared by every batch
  // element of a folds those into rows instead: dB = A'ᵀ·dY' for a' = a as [-1, K], one product.
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
        : b.rank === 2 && a.rank > 2 && !transposeA
          ? foldedWeightGradient(a, dy, transposeB)
          : transposeB
            ? matmul(dy, a, { transposeA: true, transposeB: transposeA })
            : matmul(a, dy, { transposeA: !transposeA }),
    ];
  },
});

/** dB for a 2-D b shared by the batch of a [..., M, K]: (a as [-1, K])ᵀ·(dy as [-1, N]), or its transpose. */
function foldedWeightGradient(a: Tensor, dy: Tensor, transposeB: boolean): Tensor {
  // NOTE: the row count is spelled out: -1 is ambiguous when the last axis has length 0.
  const rows = reshape(a, [sizeOf(a.shape.slice(0, -1)), a.shape[a.rank - 1]]);
  const grads = reshape(dy, [sizeOf(dy.shape.slice(0, -1)), dy.shape[dy.rank - 1]]);
  return transposeB ? matmul(grads, rows, { transposeA: true }) : matmul(rows, grads, { transposeA: true });
}

const described = (t: Tensor, transposed: boolean): string => `${formatShape(t.shape)}${transposed ? 'ᵀ' : ''}`;

/**
 * numpy's `matmul` with transposes that cost no copy: the product of the last two axes of `a` and
 * `b`, the axes before them batch axes broadcast numpy's way (`[B, T, H]·[H, V]` is `[B, T, V]`,
 * `[B, 1, T, H]·[B, N, H, T]` is `[B, N, T, T]`). A transpose flag swaps an operand's last two axes.
 * A 1-D `a` is a row (its axis is dropped from the result) and a 1-D `b` a column, as in numpy;
 * a flag on a 1-D operand changes nothing. Gradients follow numpy/PyTorch: a batch axis that was
 * broadcast gets its gradient summed.
 *
 * @example
 * matmul(x, W);                          // [N, I]·[I, H] -> [N, H]
 * matmul(dy, W, { transposeB: true });   // dy·Wᵀ
 * matmul(h, W);                          // [B, T, H]·[H, V] -> [B, T, V]
 * matmul(q, k, { transposeB: true });    // [B, N, T, D]·[B, N, T, D]ᵀ -> [B, N, T, T]
 */
export function matmul(a: Tensor, b: Tensor, options: MatMulOptions = {}): Tensor {
  const [ta, tb] = operands('matmul', a, b);
  requireOptions('matmul', options);
  const { transposeA = false, transposeB = false } = options;
  if (ta.rank === 0 || tb.rank === 0) {
    throw new ShapeError(
      `matmul: needs tensors of at least one axis, got ${formatShape(ta.shape)} and ${formatShape(tb.shape)}`,
    );
  }
  // numpy's vectors: a 1-D a is [1, K] and a 1-D b is [K, 1], and the axis added is dropped after
  // (the shapes are checked before any reshape, so that a refused call makes nothing)
  const shapeA = ta.rank === 1 ? [1, ta.shape[0]] : ta.shape;
  const shapeB = tb.rank === 1 ? [tb.shape[0], 1] : tb.shape;
  const flagA = ta.rank > 1 && transposeA;
  const flagB = tb.rank > 1 && transposeB;
  const inner = shapeA[shapeA.length - (flagA ? 2 : 1)];
  const innerB = shapeB[shapeB.length - (flagB ? 1 : 2)];
  if (inner !== innerB)
    throw new ShapeError(`matmul: cannot multiply ${described(ta, flagA)} by ${described(tb, flagB)}`);
  const batchA = shapeA.slice(0, -2);
  const batchB = shapeB.slice(0, -2);
  if (!broadcastable(batchA, batchB)) {
    throw new ShapeError(
      `matmul: batch axes ${formatShape(batchA)} of ${formatShape(ta.shape)} and ${formatShape(batchB)} of ` +
        `${formatShape(tb.shape)} do not broadcast`,
    );
  }
  const left = ta.rank === 1 ? reshape(ta, shapeA) : ta;
  const right = tb.rank === 1 ? reshape(tb, shapeB) : tb;
  const y = MatMulNode.apply([left, right], { transposeA: flagA, transposeB: flagB });
  if (ta.rank > 1 && tb.rank > 1) return y;
  const shape = y.shape.slice(0, -2);
  if (ta.rank > 1) shape.push(y.shape[y.rank - 2]);
  if (tb.rank > 1) shape.push(y.shape[y.rank - 1]);
  return reshape(y, shape);
}
