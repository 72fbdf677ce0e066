import { defineNode, type Tensor, add, mul, sigmoid, sub } from 'graphgrad';

/** The Swish node, y = x·σ(x): a node graphgrad does not ship, defined outside it. */
export const SwishNode = defineNode({
  kind: 'Swish',
  inputs: ['x'],
  saveOutputs: true,
  // The forward runs the backend's kernels on its arrays, so it works on the CPU and on WebGPU.
  // The temporary σ(x) is released when the forward ends: only the returned array is kept.
  forward: (k, [x]) => k.Mul(x, k.Sigmoid(x)),
  // dx = dy·(σ + y·(1 - σ)), written in nodes, so it can be differentiated again.
  backward: ({ inputs: [x], outputs: [y] }, dy) => [mul(dy, add(sigmoid(x), mul(y, sub(1, sigmoid(x)))))],
});

/** swish(x) = x·σ(x), elementwise. @example swish(tensor([-1, 0, 2])) */
export const swish = (x: Tensor): Tensor => SwishNode.apply([x]);
