import { ArgumentError, defineNode, type Tensor } from '@graphgrad/core';

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

/**
 * Permutes the axes (default: reverses them, so a matrix is transposed). A view where the backend
 * can make one.
 *
 * @example
 * transpose(x);            // [N, D] -> [D, N]
 * transpose(x, [0, 2, 1]);
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const order = perm ?? Array.from({ length: x.rank }, (_, i) => x.rank - 1 - i);
  const valid = order.length === x.rank && [...order].sort((a, b) => a - b).every((p, i) => p === i);
  if (!valid) throw new ArgumentError(`transpose: ${JSON.stringify(order)} is not a permutation of the ${x.rank} axes`);
  return TransposeNode.apply([x], { perm: order });
}
