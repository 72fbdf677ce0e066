import { ArgumentError, defineNode, describeValue, normalizeAxis, type Tensor } from '@graphgrad/core';
import { requireTensor } from './validate.ts';

/** The Transpose node. */
export const TransposeNode = defineNode<{
  /** `perm[i]` is the input axis that becomes output axis i. */
  perm: readonly number[];
}>({
  kind: 'Transpose',
  inputs: ['x'],
  forward: (k, [x], { perm }) => k.Transpose(x, perm),
  // dx = dy with the inverse permutation
  backward: ({ attrs: { perm } }, dy) => [transpose(dy, inverse(perm))],
});

function inverse(perm: readonly number[]): number[] {
  const out = new Array<number>(perm.length);
  perm.forEach((p, i) => (out[p] = i));
  return out;
}

/** Throws unless `order` is a permutation of `rank` axes (non-negative, each once); `given` is what the caller wrote. */
function checkPermutation(op: string, order: readonly number[], rank: number, given: readonly number[] = order): void {
  const list: unknown = order;
  const valid =
    Array.isArray(list) && order.length === rank && [...order].sort((a, b) => a - b).every((p, i) => p === i);
  if (!valid) throw new ArgumentError(`${op}: ${describeValue(given)} is not a permutation of the ${rank} axes`);
}

/**
 * Permutes the axes (default: reverses them, so a matrix is transposed). A view where the backend
 * can make one.
 *
 * @example
 * transpose(x);            // [N, D] -> [D, N]
 * transpose(x, [0, 2, 1]);
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor;
/**
 * Swaps two axes, like PyTorch's `transpose(x, dim0, dim1)` (negative axes count from the end).
 * A view where the backend can make one.
 *
 * @example
 * transpose(x, 1, 2);   // [N, T, H] -> [N, H, T]
 * transpose(x, 0, -1);
 */
export function transpose(x: Tensor, axis0: number, axis1: number): Tensor;
export function transpose(x: Tensor, permOrAxis?: readonly number[] | number, axis1?: number): Tensor {
  requireTensor('transpose', x);
  if (typeof permOrAxis === 'number' || axis1 !== undefined) {
    if (typeof permOrAxis !== 'number' || typeof axis1 !== 'number') {
      throw new ArgumentError(
        `transpose: takes two axes (transpose(x, 0, 1)) or one permutation (transpose(x, [1, 0])), got ${describeValue(permOrAxis)} and ${describeValue(axis1)}`,
      );
    }
    const a = normalizeAxis('transpose', permOrAxis, x.rank);
    const b = normalizeAxis('transpose', axis1, x.rank);
    const perm = Array.from({ length: x.rank }, (_, i) => (i === a ? b : i === b ? a : i));
    return TransposeNode.apply([x], { perm });
  }
  const order = permOrAxis ?? Array.from({ length: x.rank }, (_, i) => x.rank - 1 - i);
  checkPermutation('transpose', order, x.rank);
  return TransposeNode.apply([x], { perm: order });
}

/**
 * Reorders the axes, like `torch.permute(x, dims)` / `np.transpose(x, axes)`: output axis `i` is
 * input axis `dims[i]` (negative counts from the end). A view where the backend can make one; the
 * gradient is `dy` under the inverse permutation.
 *
 * @example
 * permute(x, [0, 2, 1]);   // [N, T, H] -> [N, H, T]
 * permute(x, [2, 0, 1]);   // [N, T, H] -> [H, N, T]
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  requireTensor('permute', x);
  const list: unknown = dims;
  if (!Array.isArray(list)) {
    throw new ArgumentError(`permute: dims must be a list of axes, got ${describeValue(dims)}`);
  }
  const order = dims.map((d) => normalizeAxis('permute', d, x.rank));
  checkPermutation('permute', order, x.rank, dims);
  return TransposeNode.apply([x], { perm: order });
}
