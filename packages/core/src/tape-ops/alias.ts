import { defineNode } from '../node.ts';

/**
 * The Alias node: a new handle on the same values, so that an owner can dispose its handle without
 * touching another's. The engine gives each leaf its own gradient with it.
 */
export const AliasNode = defineNode({
  kind: 'Alias',
  inputs: ['x'],
  forward: (k, [x]) => k.Reshape(x, x.shape),
  // dx = dy
  backward: (_ctx, dy) => [dy],
});
