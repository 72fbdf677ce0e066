// The engine needs no other package to run backward(): with @graphgrad/core and this backend
// imported alone (no @graphgrad/nodes, no hook installed), a graph of nodes defined here, with a
// value used twice and a broadcast operand, is differentiated; the engine itself accumulates the
// two uses and sums the broadcast gradient back to the operand's shape.
import { describe, expect, it } from 'vitest';
import { defineNode, Tensor, tensor, type Tensor as T } from '@graphgrad/core';
import { cpuBackend } from '../src/index.ts';

// y = a·b elementwise, broadcasting; its rule is written with the same node.
const MulNode = defineNode({
  kind: 'TestMul',
  inputs: ['a', 'b'],
  forward: (k, [a, b]) => k.Mul(a, b),
  backward: ({ inputs: [a, b] }, dy) => [mul(dy, b), mul(dy, a)],
});
const mul = (a: T, b: T): T => MulNode.apply([a, b]);

describe('the engine with core and one backend alone', () => {
  it('runs backward() through a branch and a broadcast with no operation package loaded', () => {
    // @graphgrad/nodes adds the operations to Tensor.prototype when it loads: it has not.
    expect((Tensor.prototype as unknown as Record<string, unknown>).matmul).toBeUndefined();
    const backend = cpuBackend();
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float64', requiresGrad: true, backend },
    );
    const w = tensor([0.5, -1, 2], { dtype: 'float64', requiresGrad: true, backend });
    // z = x·x·w (x used twice, w broadcast over the rows), seeded with ones: dz/dx = 2·x·w, dz/dw = Σ_rows x².
    const z = mul(mul(x, x), w);
    z.backward(
      tensor(
        [
          [1, 1, 1],
          [1, 1, 1],
        ],
        { dtype: 'float64', backend },
      ),
    );
    expect(Array.from(x.grad!.dataSync())).toEqual([1, -4, 12, 4, -10, 24]);
    expect(Array.from(w.grad!.dataSync())).toEqual([17, 29, 45]);
  });
});
