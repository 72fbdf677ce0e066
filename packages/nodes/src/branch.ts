import { defineNode, type Tensor } from '@graphgrad/core';
import { add } from './add.ts';
import { requireFloat, requireInteger } from './validate.ts';

/** The most copies one branch makes: far more than any graph fans out, and an array that fits. */
const MAX_COPIES = 2 ** 16;

/** The Branch node: one input, n identical outputs. */
export const BranchNode = defineNode<{
  /** How many copies. */
  n: number;
}>({
  kind: 'Branch',
  inputs: ['x'],
  forward: (k, [x], { n }) => Array.from({ length: n }, () => k.Reshape(x, x.shape)),
  // dx = dy₁ + dy₂ + … + dyₙ (the gradients of the copies are summed)
  // NOTE: added in the order the gradients arrived (tensor ids grow as they are made), which is the
  // order in which the engine accumulates a tensor used n times; floating-point addition is not
  // associative, so this is what makes branch(x, n) and implicit reuse agree bit for bit.
  backward: (_ctx, ...dys) => [[...dys].sort((a, b) => a.id - b.id).reduce((total, dy) => add(total, dy))],
});

/**
 * `n` copies of `x` whose gradients are summed: the book's branch node. Using one tensor twice gives
 * exactly the same gradients; `branch` makes the fan-out explicit in the graph.
 *
 * @example
 * const [h1, h2] = branch(h, 2);
 */
export function branch(x: Tensor, n: number): Tensor[] {
  requireFloat('branch', x);
  requireInteger('branch', n, 'n', 1, MAX_COPIES);
  return BranchNode.applyMany([x], { n });
}
