import { defineNode } from '../node.ts';

/**
 * The Add node: a + b with numpy broadcasting. The engine adds the gradients that meet at a branch
 * with it, so that under `createGraph` even that sum is recorded; `add` in `@graphgrad/nodes`
 * applies it to user operands.
 */
export const AddNode = defineNode({
  kind: 'Add',
  inputs: ['a', 'b'],
  forward: (k, [a, b]) => k.Add(a, b),
  // da = dy, db = dy (the engine sums each back to its input's shape)
  backward: (_ctx, dy) => [dy, dy],
});
