import { ArgumentError, defineNode, normalizeAxes, reducedShape, type Tensor } from '@graphgrad/core';
import { abs } from './abs.ts';
import { add } from './add.ts';
import { div } from './div.ts';
import { equal } from './equal.ts';
import { max } from './max.ts';
import { mul } from './mul.ts';
import { reshape } from './reshape.ts';
import { sum } from './sum.ts';
import { describeValue, requireFloat, requireNonEmptyReduction } from './validate.ts';

/** The Norm node: the Euclidean norm √(Σ x²) along the axes (`norm`'s p = 2). */
export const NormNode = defineNode<{
  /** The axes reduced, sorted and non-negative. */
  axes: readonly number[];
  /** Whether the reduced axes stay as length 1. */
  keepDims: boolean;
}>({
  kind: 'Norm',
  inputs: ['x'],
  saveOutputs: true,
  forward: (k, [x], { axes, keepDims }) => k.Sqrt(k.Sum(k.Mul(x, x), axes, keepDims)),
  // dx = dy·x/‖x‖, and 0 where ‖x‖ = 0 (PyTorch's subgradient there)
  backward: ({ inputs: [x], outputs: [y], attrs: { axes, keepDims } }, dy) => {
    const kept = reducedShape(x.shape, axes, true);
    const yk = keepDims ? y : reshape(y, kept);
    // ‖x‖ = 0 only where the slice of x is all 0: dividing by 1 there gives the 0 wanted
    const divisor = add(yk, equal(yk, 0));
    return [mul(x, div(keepDims ? dy : reshape(dy, kept), divisor))];
  },
});

/**
 * The vector p-norm along `axis` (a number, a list, or every axis when omitted), like
 * `torch.linalg.vector_norm`: p = 2 (default) √(Σ x²), p = 1 Σ|x|, p = Infinity max |x|. At x = 0
 * the gradient is 0 (the subgradient PyTorch picks); for p = Infinity it is split evenly among tied
 * largest magnitudes.
 *
 * @example
 * norm(tensor([3, 4]));              // 5
 * norm(tensor([3, -4]), 1);          // 7
 * norm(x, Infinity, -1, true);       // per row, [N, 1]
 */
export function norm(x: Tensor, p = 2, axis?: number | readonly number[], keepDims = false): Tensor {
  requireFloat('norm', x);
  const axes = normalizeAxes('norm', axis, x.rank);
  if (p === 2) return NormNode.apply([x], { axes, keepDims });
  if (p === 1) return sum(abs(x), axes, keepDims);
  if (p === Infinity) {
    requireNonEmptyReduction('norm', x, axes);
    return max(abs(x), axes, keepDims);
  }
  throw new ArgumentError(`norm: p must be 1, 2 or Infinity, got ${describeValue(p)}`);
}
