import { randn, type Tensor } from '@graphgrad/core';
import { matmul, sum, transpose } from '@graphgrad/nodes';
import { describe, expect, it } from 'vitest';
import { SGD } from '../src/index.ts';

// The book's remove_duplicate merges the gradients of a parameter that two layers share. With
// parameters held by identity, graphgrad needs no such pass: the tape accumulates both uses into
// the one tensor's grad, and the optimizer lists (and so updates) the tensor once.

const opts = { dtype: 'float64' as const, requiresGrad: true };

async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

function expectAllClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
}

describe('parameters shared between layers (the book remove_duplicate)', () => {
  it('a weight used by two layers gets the sum of both gradients and one update', async () => {
    const x = randn([4, 3], { dtype: 'float64', seed: 1 });
    const W = randn([3, 3], { ...opts, seed: 2 });
    const layers = [W, W]; // two MatMul layers holding the same tensor, as model.params would list it
    sum(matmul(matmul(x, layers[0]), layers[1])).backward();

    // The book's bookkeeping: two separate copies, each with its own gradient, then added.
    const Wa = randn([3, 3], { ...opts, seed: 2 });
    const Wb = randn([3, 3], { ...opts, seed: 2 });
    sum(matmul(matmul(x, Wa), Wb)).backward();
    const ga = await values(Wa.grad!);
    const gb = await values(Wb.grad!);
    const expectedGrad = ga.map((g, i) => g + gb[i]);
    expectAllClose(await values(W.grad!), expectedGrad);

    const before = await values(W);
    const optimizer = new SGD(layers, { lr: 0.1 });
    expect(optimizer.params).toHaveLength(1);
    optimizer.step();
    expectAllClose(
      await values(W),
      before.map((w, i) => w - 0.1 * expectedGrad[i]),
    );
  });

  it('a weight shared as its transpose gets the transposed gradient added, and one update', async () => {
    const x = randn([5, 4], { dtype: 'float64', seed: 3 });
    const W = randn([4, 2], { ...opts, seed: 4 });
    // encoder x·W, decoder h·Wᵀ: the decoder uses transpose(W), so W is the only parameter
    const params = [W];
    sum(matmul(matmul(x, W), transpose(W))).backward();

    // The book's rule: a separate decoder weight Wt (a copy of Wᵀ); W's gradient is gA + (gWt)ᵀ.
    const Wa = randn([4, 2], { ...opts, seed: 4 });
    const Wt = transpose(randn([4, 2], { dtype: 'float64', seed: 4 })).detach();
    Wt.requiresGrad = true;
    sum(matmul(matmul(x, Wa), Wt)).backward();
    const ga = await values(Wa.grad!);
    const gt = await values(Wt.grad!); // [2, 4] row-major
    const expectedGrad = ga.map((g, k) => {
      const [i, j] = [Math.floor(k / 2), k % 2];
      return g + gt[j * 4 + i];
    });
    expectAllClose(await values(W.grad!), expectedGrad);

    const before = await values(W);
    new SGD(params, { lr: 0.5 }).step();
    expectAllClose(
      await values(W),
      before.map((w, i) => w - 0.5 * expectedGrad[i]),
    );
  });
});
