import { describe, expect, it } from 'vitest';
import { DisposedTensorError, keep, randn, tensor, tidy, zeros, type Tensor } from '@graphgrad/core';
import type { WebGPUBackend } from '../src/index.ts';
import { gpuForTests } from './gpu-for-tests.ts';
import { nodes } from './packages.ts';

const { add, matmul, mul, sigmoid, softmaxWithLoss, sum, transpose } = nodes;

// The memory scopes on the WebGPU backend: tidy/keep, dispose and `using` give device buffers back
// as they give the CPU backend's arrays back (packages/core/test/scope.test.ts), counted by
// liveBuffers(). The counts are relative: the file's one backend is shared by its tests.

const gpu = await gpuForTests();

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'tidy, dispose and using on WebGPU', () => {
  const backend = gpu.backend as WebGPUBackend;
  const live = (): number => backend.liveBuffers();

  it('tidy releases the buffers of what it created and keeps what it returns', async () => {
    const x = randn([3, 4], { backend, seed: 1 });
    const start = live();
    const y = tidy(() => {
      const a = mul(x, 2);
      const b = add(a, x);
      sum(mul(b, b));
      return add(b, 1);
    });
    expect(live()).toBe(start + 1);
    const xs = await x.data();
    const ys = await y.data();
    ys.forEach((v, i) => expect(v).toBeCloseTo(3 * xs[i] + 1, 5));
    y.dispose();
    x.dispose();
    expect(live()).toBe(start - 1);
  });

  it('keep() lets a tensor outlive its scope; nested scopes hand results outward', () => {
    const x = randn([2], { backend, seed: 1 });
    const start = live();
    let kept: Tensor | undefined;
    let dropped: Tensor | undefined;
    let inner: Tensor | undefined;
    tidy(() => {
      kept = keep(mul(x, 2));
      dropped = mul(x, 3);
      inner = tidy(() => mul(x, 4));
      expect(inner.isDisposed).toBe(false);
    });
    expect(kept!.isDisposed).toBe(false);
    expect(dropped!.isDisposed).toBe(true);
    expect(inner!.isDisposed).toBe(true);
    expect(live()).toBe(start + 1);
    kept!.dispose();
    x.dispose();
    expect(live()).toBe(start - 1);
  });

  it('tidy releases its buffers when fn throws, and rethrows', () => {
    const x = randn([2], { backend, seed: 1 });
    const start = live();
    expect(() =>
      tidy(() => {
        mul(x, 2);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(live()).toBe(start);
    x.dispose();
  });

  it('a training step in tidy leaves only the gradients, which zeroGrad releases', async () => {
    const x = randn([30, 2], { backend, seed: 1 });
    const labels = tensor(Array.from({ length: 30 }, (_, i) => i % 3), { dtype: 'int32', backend });
    const W1 = randn([2, 10], { backend, seed: 2, requiresGrad: true });
    const b1 = zeros([10], { backend, requiresGrad: true });
    const W2 = randn([10, 3], { backend, seed: 3, requiresGrad: true });
    const start = live();
    for (let i = 0; i < 3; i++) {
      const loss = tidy(() => {
        const l = softmaxWithLoss(matmul(sigmoid(add(matmul(x, W1), b1)), W2), labels);
        l.backward();
        return l;
      });
      expect(Number.isFinite(await loss.item())).toBe(true);
      loss.dispose();
      expect(live()).toBe(start + 3);
      for (const p of [W1, b1, W2]) p.zeroGrad();
      expect(live()).toBe(start);
    }
    for (const t of [x, labels, W1, b1, W2]) t.dispose();
  });

  it('a disposed tensor is a DisposedTensorError for kernels and for reads', async () => {
    const x = tensor([1, 2, 3], { backend });
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(() => mul(x, 2)).toThrow(DisposedTensorError);
    expect(() => mul(x, 2)).toThrow(/tensor #\d+ \[3\] float32 was used after dispose\(\)/);
    await expect(x.data()).rejects.toThrow(DisposedTensorError);
    expect(() => x.dispose()).not.toThrow();
  });

  it('a buffer shared by a view stays live until the last handle goes', async () => {
    const start = live();
    const x = randn([2, 3], { backend, seed: 1 });
    const t = transpose(x);
    expect(live()).toBe(start + 1);
    x.dispose();
    expect(live()).toBe(start + 1);
    expect((await t.data()).length).toBe(6);
    t.dispose();
    expect(live()).toBe(start);
  });

  it('using releases the buffer at the end of the block, also when the block throws', async () => {
    const start = live();
    let seen: Tensor;
    {
      using t = randn([4], { backend, seed: 1 });
      seen = t;
      expect(live()).toBe(start + 1);
      expect((await t.data()).length).toBe(4);
    }
    expect(seen.isDisposed).toBe(true);
    expect(live()).toBe(start);
    await expect(
      (async () => {
        using t = randn([4], { backend, seed: 2 });
        await t.data();
        throw new Error('inside');
      })(),
    ).rejects.toThrow('inside');
    expect(live()).toBe(start);
  });
});
