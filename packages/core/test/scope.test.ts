// Memory ownership: tidy/keep, dispose, `using`, and the backend's live-buffer count.
import { describe, expect, it } from 'vitest';
import { cpuBackend, DisposedTensorError, keep, randn, tensor, tidy, zeros, type Tensor } from '../src/index.ts';
import { add, matmul, mul, sigmoid, softmaxWithLoss, sum, transpose } from '../../nodes/src/index.ts';

// Each test counts buffers on a backend of its own, so nothing else can move the count.
const fresh = () => {
  const backend = cpuBackend();
  return { backend, live: () => backend.liveBuffers() };
};

describe('tidy', () => {
  it('disposes what it created and brings liveBuffers back to its starting value', () => {
    const { backend, live } = fresh();
    const x = randn([3, 4], { backend, seed: 1 });
    const start = live();
    const result = tidy(() => {
      const a = mul(x, 2);
      const b = add(a, x);
      sum(mul(b, b));
      return undefined;
    });
    expect(result).toBeUndefined();
    expect(live()).toBe(start);
    expect(x.isDisposed).toBe(false);
  });

  it('keeps what it returns (a tensor, or arrays and objects of tensors)', async () => {
    const { backend, live } = fresh();
    const x = randn([2, 2], { backend, seed: 1, dtype: 'float64' });
    const start = live();
    const { y, pair } = tidy(() => {
      const t = mul(x, 3);
      return { y: add(t, 1), pair: [mul(x, x), sum(x)] as const };
    });
    expect(live()).toBe(start + 3);
    const xs = await x.data();
    expect(Array.from(await y.data())).toEqual(Array.from(xs, (v) => 3 * v + 1));
    expect(pair[0].isDisposed).toBe(false);
    [y, ...pair].forEach((t) => t.dispose());
    expect(live()).toBe(start);
  });

  it('keep() lets a tensor outlive the scope', () => {
    const { backend, live } = fresh();
    const x = randn([2], { backend, seed: 1 });
    const start = live();
    let kept: Tensor | undefined;
    let dropped: Tensor | undefined;
    tidy(() => {
      kept = keep(mul(x, 2));
      dropped = mul(x, 3);
    });
    expect(kept!.isDisposed).toBe(false);
    expect(dropped!.isDisposed).toBe(true);
    expect(live()).toBe(start + 1);
    kept!.dispose();
    expect(live()).toBe(start);
  });

  it('nests: a returned tensor moves to the enclosing scope, which disposes it', () => {
    const { backend, live } = fresh();
    const x = randn([2], { backend, seed: 1 });
    const start = live();
    let inner: Tensor | undefined;
    tidy(() => {
      inner = tidy(() => mul(x, 2));
      expect(inner.isDisposed).toBe(false);
    });
    expect(inner!.isDisposed).toBe(true);
    expect(live()).toBe(start);
  });

  it('disposes its tensors when fn throws, and rethrows', () => {
    const { backend, live } = fresh();
    const x = randn([2], { backend, seed: 1 });
    const start = live();
    expect(() =>
      tidy(() => {
        mul(x, 2);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(live()).toBe(start);
  });

  it('a training step in tidy leaks nothing once the gradients are cleared', () => {
    const { backend, live } = fresh();
    const x = randn([30, 2], { backend, seed: 1, dtype: 'float64' });
    const labels = tensor(Array.from({ length: 30 }, (_, i) => i % 3), { dtype: 'int32', backend });
    const W1 = randn([2, 10], { backend, seed: 2, dtype: 'float64', requiresGrad: true });
    const b1 = zeros([10], { backend, dtype: 'float64', requiresGrad: true });
    const W2 = randn([10, 3], { backend, seed: 3, dtype: 'float64', requiresGrad: true });
    const step = (): void =>
      tidy(() => {
        const loss = softmaxWithLoss(matmul(sigmoid(add(matmul(x, W1), b1)), W2), labels);
        loss.backward();
      });
    const start = live();
    for (let i = 0; i < 3; i++) {
      step();
      // Only the three gradients survive a step.
      expect(live()).toBe(start + 3);
      for (const p of [W1, b1, W2]) p.zeroGrad();
      expect(live()).toBe(start);
    }
  });

  it('frees the graph behind a returned tensor with the intermediates: backward belongs inside', () => {
    const W = randn([2, 3], { seed: 1, requiresGrad: true });
    const x = randn([4, 2], { seed: 2 });
    const loss = tidy(() => sum(sigmoid(matmul(x, W))));
    expect(() => loss.backward()).toThrow(DisposedTensorError);
    const inside = tidy(() => {
      const l = sum(sigmoid(matmul(x, W)));
      l.backward();
      return l;
    });
    expect(inside.isDisposed).toBe(false);
    expect(W.grad!.shape).toEqual([2, 3]);
  });
});

describe('dispose', () => {
  it('makes any later use a DisposedTensorError', async () => {
    const x = tensor([1, 2, 3]);
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(() => x.dataSync()).toThrow(DisposedTensorError);
    await expect(x.data()).rejects.toThrow(DisposedTensorError);
    expect(() => mul(x, 2)).toThrow(DisposedTensorError);
    expect(() => mul(x, 2)).toThrow(/tensor #\d+ \[3\] float32 was used after dispose\(\)/);
    expect(() => x.dispose()).not.toThrow();
  });

  it('counts a buffer shared by views as live until the last handle goes', () => {
    const { backend, live } = fresh();
    const start = live();
    const x = randn([2, 3], { backend, seed: 1 });
    const t = transpose(x); // a view on x's buffer
    expect(live()).toBe(start + 1);
    x.dispose();
    expect(live()).toBe(start + 1);
    expect(t.dataSync().length).toBe(6);
    t.dispose();
    expect(live()).toBe(start);
  });

  it('a tensor used in a disposed scope cannot be used', () => {
    const leaked = tidy(() => {
      const t = tensor([1]);
      return { later: () => mul(t, 2) };
    });
    expect(() => leaked.later()).toThrow(DisposedTensorError);
  });
});

describe('using', () => {
  it('disposes the tensor at the end of the block', () => {
    const { backend, live } = fresh();
    const start = live();
    let seen: Tensor;
    {
      using t = randn([4], { backend, seed: 1 });
      seen = t;
      expect(live()).toBe(start + 1);
    }
    expect(seen.isDisposed).toBe(true);
    expect(live()).toBe(start);
  });

  it('disposes even when the block throws', () => {
    const { backend, live } = fresh();
    const start = live();
    expect(() => {
      using t = randn([4], { backend, seed: 1 });
      t.dataSync();
      throw new Error('inside');
    }).toThrow('inside');
    expect(live()).toBe(start);
  });
});
