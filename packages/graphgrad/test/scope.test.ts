// Memory ownership on every backend: tidy/keep, dispose, `using`, and the backend's live-buffer
// count. The same tests run on the CPU backend and on WebGPU; counts are taken relative to a
// test's start, since one WebGPU backend is shared by the file's tests.
import { describe, expect, it } from 'vitest';
import { DisposedTensorError, keep, randn, tensor, tidy, zeros, type Backend, type Tensor } from '../src/index.ts';
import * as nodes from '@graphgrad/nodes';
import { testBackends } from '@graphgrad/test-backends';

const { add, matmul, mul, sigmoid, softmaxWithLoss, sum, transpose } = nodes;

interface Row {
  readonly label: string;
  /** The file's backend. */
  readonly backend: () => Backend;
  readonly skip: string | null;
}

const ROWS: readonly Row[] = (await testBackends()).map((b) => ({
  label: b.name,
  backend: () => b.backend!,
  skip: b.reason,
}));

describe.each(ROWS)('memory scopes on $label', (row) => {
  const test = row.skip === null ? it : it.skip;
  const setup = () => {
    const backend = row.backend();
    return { backend, live: () => backend.liveBuffers() };
  };

  describe('tidy', () => {
    test('disposes what it created and brings liveBuffers back to its starting value', () => {
      const { backend, live } = setup();
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
      x.dispose();
    });

    test('keeps what it returns (a tensor, or arrays and objects of tensors)', async () => {
      const { backend, live } = setup();
      const x = tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { backend },
      );
      const start = live();
      const { y, pair } = tidy(() => {
        const t = mul(x, 3);
        return { y: add(t, 1), pair: [mul(x, x), sum(x)] as const };
      });
      expect(live()).toBe(start + 3);
      expect(Array.from(await y.data())).toEqual([4, 7, 10, 13]);
      expect(pair[0].isDisposed).toBe(false);
      [y, ...pair, x].forEach((t) => t.dispose());
      expect(live()).toBe(start - 1);
    });

    test('keep() lets a tensor outlive the scope', () => {
      const { backend, live } = setup();
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
      x.dispose();
    });

    test('nests: a returned tensor moves to the enclosing scope, which disposes it', () => {
      const { backend, live } = setup();
      const x = randn([2], { backend, seed: 1 });
      const start = live();
      let inner: Tensor | undefined;
      tidy(() => {
        inner = tidy(() => mul(x, 2));
        expect(inner.isDisposed).toBe(false);
      });
      expect(inner!.isDisposed).toBe(true);
      expect(live()).toBe(start);
      x.dispose();
    });

    test('disposes its tensors when fn throws, and rethrows', () => {
      const { backend, live } = setup();
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

    test('a training step in tidy leaves only the gradients, which zeroGrad releases', async () => {
      const { backend, live } = setup();
      const x = randn([30, 2], { backend, seed: 1 });
      const labels = tensor(
        Array.from({ length: 30 }, (_, i) => i % 3),
        { dtype: 'int32', backend },
      );
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
        // Only the three gradients survive a step.
        expect(live()).toBe(start + 3);
        for (const p of [W1, b1, W2]) p.zeroGrad();
        expect(live()).toBe(start);
      }
      for (const t of [x, labels, W1, b1, W2]) t.dispose();
    });

    test('frees the graph behind a returned tensor with the intermediates: backward belongs inside', () => {
      const { backend } = setup();
      const W = randn([2, 3], { backend, seed: 1, requiresGrad: true });
      const x = randn([4, 2], { backend, seed: 2 });
      const loss = tidy(() => sum(sigmoid(matmul(x, W))));
      expect(() => loss.backward()).toThrow(DisposedTensorError);
      const inside = tidy(() => {
        const l = sum(sigmoid(matmul(x, W)));
        l.backward();
        return l;
      });
      expect(inside.isDisposed).toBe(false);
      expect(W.grad!.shape).toEqual([2, 3]);
      W.zeroGrad();
      for (const t of [W, x, loss, inside]) t.dispose();
    });
  });

  describe('dispose', () => {
    test('makes any later use a DisposedTensorError, for kernels and for reads', async () => {
      const { backend } = setup();
      const x = tensor([1, 2, 3], { backend });
      x.dispose();
      expect(x.isDisposed).toBe(true);
      await expect(x.data()).rejects.toThrow(DisposedTensorError);
      expect(() => mul(x, 2)).toThrow(DisposedTensorError);
      expect(() => mul(x, 2)).toThrow(/tensor #\d+ \[3\] float32 was used after dispose\(\)/);
      expect(() => x.dispose()).not.toThrow();
    });

    test('counts a buffer shared by views as live until the last handle goes', async () => {
      const { backend, live } = setup();
      const start = live();
      const x = randn([2, 3], { backend, seed: 1 });
      const t = transpose(x); // a view on x's buffer
      expect(live()).toBe(start + 1);
      x.dispose();
      expect(live()).toBe(start + 1);
      expect((await t.data()).length).toBe(6);
      t.dispose();
      expect(live()).toBe(start);
    });

    test('a tensor used in a disposed scope cannot be used', () => {
      const { backend } = setup();
      const leaked = tidy(() => {
        const t = tensor([1], { backend });
        return { later: () => mul(t, 2) };
      });
      expect(() => leaked.later()).toThrow(DisposedTensorError);
    });
  });

  describe('using', () => {
    test('disposes the tensor at the end of the block', async () => {
      const { backend, live } = setup();
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
    });

    test('disposes even when the block throws', async () => {
      const { backend, live } = setup();
      const start = live();
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
});

describe('dataSync', () => {
  it('reads a CPU tensor synchronously, and a disposed one is a DisposedTensorError', () => {
    const x = tensor([1, 2, 3]);
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3]);
    x.dispose();
    expect(() => x.dataSync()).toThrow(DisposedTensorError);
  });
});
