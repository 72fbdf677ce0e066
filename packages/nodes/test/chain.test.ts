// Method chaining: every operation that takes a tensor first is a method of Tensor, giving exactly
// what the function gives, on every backend; docs/ops.md says which operations are not chained.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testBackends } from '@graphgrad/test-backends';
import { Tensor, tensor, type Backend } from '@graphgrad/core';
import { describe, expect, it } from 'vitest';
import { add, CHAINED_METHODS, matmul, sum, tanh, transpose, where } from '../src/index.ts';

const page = readFileSync(join(import.meta.dirname, '../../../docs/ops.md'), 'utf8');
const documented = [...page.matchAll(/^\| `(\w+)` +\|/gm)].map(([, name]) => name);

/** Operations whose first argument is not one tensor, so they have no method. */
const NOT_CHAINED: Readonly<Record<string, string>> = {
  concat: 'takes a list of tensors',
  stack: 'takes a list of tensors',
  embedding: 'the weights come first; the module Embedding is the usual way',
  segmentSum: 'the gradient of gather: called on values with the indices of another tensor',
  lstmCell: 'takes the gate pre-activations and the cell state together',
  gruCell: 'takes the gate pre-activations and the hidden state together',
};

const backends = await testBackends();

describe('method chaining', () => {
  it('has a method for every operation of docs/ops.md, or says why not', () => {
    const missing = documented.filter((op) => !CHAINED_METHODS.includes(op) && NOT_CHAINED[op] === undefined);
    expect(missing).toEqual([]);
    for (const name of CHAINED_METHODS)
      expect(typeof (Tensor.prototype as unknown as Record<string, unknown>)[name]).toBe('function');
  });

  describe.each(backends)('on $name', ({ backend, reason }) => {
    it.skipIf(backend === null)(reason ?? 'gives what the functions give, gradients included', async () => {
      const on = backend as Backend;
      const x = tensor(
        [
          [0.5, -1],
          [2, 0.25],
        ],
        { backend: on, requiresGrad: true },
      );
      const W = tensor(
        [
          [1, 2, 3],
          [-1, 0.5, 2],
        ],
        { backend: on, requiresGrad: true },
      );
      const b = tensor([0.1, -0.2, 0.3], { backend: on, requiresGrad: true });
      const chained = x.matmul(W).add(b).tanh().sum();
      const functional = sum(tanh(add(matmul(x, W), b)));
      expect(await chained.item()).toBeCloseTo(await functional.item(), 6);
      chained.backward();
      const gradW = Array.from(await W.grad!.data());
      W.zeroGrad();
      functional.backward();
      Array.from(await W.grad!.data()).forEach((g, i) => expect(g).toBeCloseTo(gradW[i], 6));
      // The overloads and the methods whose order differs from the function's.
      expect(await x.transpose(0, 1).toArray()).toEqual(await transpose(x, [1, 0]).toArray());
      const mask = x.greater(0);
      expect(await x.where(mask, 0).toArray()).toEqual(await where(mask, x, 0).toArray());
      expect(
        await x
          .reshape([4])
          .slice([[1, 3]])
          .toArray(),
      ).toEqual([-1, 2]);
      for (const t of [x, W, b, chained, functional, mask, x.grad, W.grad, b.grad]) t?.dispose();
    });
  });
});
