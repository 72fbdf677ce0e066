// The @example snippets of the public TSDoc, run as written (with the values their comments promise
// asserted), plus the researcher's first program from the foundation issue.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraries } from '@graphgrad/core/testing';
import {
  defineNode,
  full,
  Generator,
  gradCheck,
  keep,
  noGrad,
  ones,
  rand,
  randn,
  tensor,
  tidy,
  zeros,
  broadcastTo,
} from '@graphgrad/core';
import {
  Affine,
  add,
  argmax,
  branch,
  cast,
  gather,
  greater,
  MatMul,
  matmul,
  mean,
  mul,
  oneHot,
  repeat,
  reshape,
  Sequential,
  Sigmoid,
  sigmoid,
  softmax,
  softmaxWithLoss,
  sum,
  tanh,
  transpose,
} from '../src/index.ts';

const values = (t: { dataSync(): ArrayLike<number> }): number[] => Array.from(t.dataSync());

describe('@graphgrad/core examples', () => {
  it('tensor', async () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]); // float32 [2,2]
    expect([a.dtype, a.shape]).toEqual(['float32', [2, 2]]);
    const labels = tensor([0, 2, 1], { dtype: 'int32' }); // class labels
    expect(labels.dtype).toBe('int32');
    const b = tensor(new Float64Array(6), { shape: [2, 3] }); // float64 [2,3]
    expect([b.dtype, b.shape]).toEqual(['float64', [2, 3]]);

    // Tensor's own example
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    expect(x.shape).toEqual([2, 2]);
    const data = await x.data(); // Float32Array [1, 2, 3, 4]
    expect(data).toEqual(new Float32Array([1, 2, 3, 4]));
  });

  it('randn, rand, zeros, ones, full', () => {
    const W = randn([2, 10], { seed: 1, std: 0.01, requiresGrad: true });
    expect([W.shape, W.dtype, W.requiresGrad]).toEqual([[2, 10], 'float32', true]);
    expect(values(W).every((v) => Math.abs(v) < 0.06)).toBe(true);
    const u = rand([3, 3], { seed: 7, low: -1, high: 1 });
    expect(values(u).every((v) => v >= -1 && v < 1)).toBe(true);
    const z = zeros([1, 10], { requiresGrad: true });
    expect([z.shape, z.requiresGrad, values(z).every((v) => v === 0)]).toEqual([[1, 10], true, true]);
    expect(values(ones([3]))).toEqual([1, 1, 1]);
    expect(values(full([2, 3], 0.5))).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  });

  it('Generator', () => {
    const g = new Generator(1984);
    const first = g.normal(); // the same value on every run
    expect(new Generator(1984).normal()).toBe(first);
  });

  it('tidy and keep', () => {
    const x = randn([30, 2], { seed: 1 });
    const t = tensor(
      Array.from({ length: 30 }, (_, i) => i % 3),
      { dtype: 'int32' },
    );
    const model = new Sequential([
      new Affine(randn([2, 3], { seed: 2, requiresGrad: true }), zeros([3], { requiresGrad: true })),
      new Sigmoid(),
    ]);
    const live = x.backend.liveBuffers();
    const loss = tidy(() => {
      const l = softmaxWithLoss(model.forward(x), t);
      l.backward(); // the parameters' gradients outlive the scope
      return l;
    }); // intermediates are freed
    expect(loss.shape).toEqual([]);
    expect(model.params.map((p) => p.grad!.shape)).toEqual([[2, 3], [3]]);
    // the loss and the two gradients are all that is left
    expect(x.backend.liveBuffers()).toBe(live + 3);
    const kept = tidy(() => keep(mul(x, 2)));
    expect(kept.isDisposed).toBe(false);
  });

  it('noGrad', () => {
    const W = randn([2, 2], { seed: 1, requiresGrad: true });
    const y = noGrad(() => mul(W, 2)); // y.requiresGrad === false
    expect(y.requiresGrad).toBe(false);
  });

  it('gradCheck', async () => {
    const result = await gradCheck(
      (a, b) => sum(mul(a, b)),
      [randn([3, 4], { dtype: 'float64' }), randn([4], { dtype: 'float64' })],
    );
    expect(result.passed).toBe(true); // true
  });

  it('arbitraries (property-testing a node in a few lines)', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraries.tensorOf(arbitraries.shape()), async (x) => {
        expect((await gradCheck((t) => sum(tanh(t)), [x])).passed).toBe(true);
      }),
      { numRuns: 10 },
    );
  });

  it('Tensor.backward', async () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    const loss = sum(mul(x, x));
    loss.backward();
    expect(await x.grad!.data()).toEqual(new Float32Array([2, -4, 6])); // 2·x
  });

  it('defineNode', async () => {
    const Square = defineNode<void>({
      kind: 'Square',
      inputs: ['x'],
      forward: (k, [x]) => k.Mul(x, x),
      // dx = 2·x·dy
      backward: ({ inputs: [x] }, dy) => [mul(mul(dy, x), 2)],
    });
    const x = tensor([1.5, -2], { dtype: 'float64', requiresGrad: true });
    const y = Square.apply([x]);
    expect(values(y)).toEqual([2.25, 4]);
    expect((await gradCheck((t) => sum(Square.apply([t])), [x])).passed).toBe(true);
  });
});

describe('@graphgrad/nodes examples', () => {
  const x = randn([30, 2], { seed: 1 });
  const W = randn([2, 10], { seed: 2 });

  it('matmul', () => {
    expect(matmul(x, W).shape).toEqual([30, 10]); // [N, I]·[I, H] -> [N, H]
    const dy = randn([30, 10], { seed: 3 });
    const viaFlag = matmul(dy, W, { transposeB: true }); // dy·Wᵀ
    expect(viaFlag.shape).toEqual([30, 2]);
    expect(values(viaFlag)).toEqual(values(matmul(dy, transpose(W))));
  });

  it('sum and mean', () => {
    const h = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(sum(h).shape).toEqual([]); // scalar
    expect(sum(h).itemSync()).toBe(21);
    expect(sum(h, 0, true).shape).toEqual([1, 2]); // [N, D] -> [1, D]
    const losses = tensor([1, 2, 3, 6]);
    expect(mean(losses).itemSync()).toBe(3); // scalar
  });

  it('repeat and broadcastTo', () => {
    const b = randn([1, 10], { seed: 4 });
    expect(repeat(b, 0, 30).shape).toEqual([30, 10]); // [1, 10] -> [30, 10]
    expect(broadcastTo(b, [30, 10]).shape).toEqual([30, 10]); // [1, 10] -> [30, 10]
    expect(values(broadcastTo(b, [30, 10]))).toEqual(values(repeat(b, 0, 30)));
  });

  it('branch', () => {
    const h = randn([3, 4], { seed: 5 });
    const [h1, h2] = branch(h, 2);
    expect(values(h1)).toEqual(values(h));
    expect(values(h2)).toEqual(values(h));
  });

  it('softmaxWithLoss and softmax', () => {
    const scores = randn([30, 3], { seed: 6 });
    const labels = tensor(
      Array.from({ length: 30 }, (_, i) => i % 3),
      { dtype: 'int32' },
    );
    const loss = softmaxWithLoss(scores, labels); // scores [N, C], labels int32 [N]
    expect(loss.shape).toEqual([]);
    expect(loss.itemSync()).toBeGreaterThan(0);
    const rows = softmax(tensor([[1, 2, 3]])); // each row sums to 1
    expect(values(sum(rows, -1))[0]).toBeCloseTo(1, 6);
  });

  it('add, greater, argmax, oneHot, gather, reshape, transpose, cast', () => {
    expect(
      values(
        add(
          tensor([
            [1, 2],
            [3, 4],
          ]),
          tensor([10, 20]),
        ),
      ),
    ).toEqual([11, 22, 13, 24]); // broadcasts the row
    const v = tensor([-1, 2, -3, 4]);
    // ReLU (the masked negatives are -0, which equals 0)
    expect(values(mul(v, greater(v, 0))).map((e) => e + 0)).toEqual([0, 2, 0, 4]);
    expect(argmax(randn([30, 3], { seed: 7 })).shape).toEqual([30]); // [N, C] -> [N]
    expect(values(oneHot(tensor([0, 2], { dtype: 'int32' }), 3))).toEqual([1, 0, 0, 0, 0, 1]); // [[1,0,0],[0,0,1]]
    const batch = gather(randn([8, 2], { seed: 8 }), tensor([4, 0, 7], { dtype: 'int32' }));
    expect(batch.shape).toEqual([3, 2]);
    expect(reshape(randn([4, 3], { seed: 9 }), [2, -1]).shape).toEqual([2, 6]);
    expect(transpose(x).shape).toEqual([2, 30]); // [N, D] -> [D, N]
    expect(transpose(randn([2, 3, 4], { seed: 10 }), [0, 2, 1]).shape).toEqual([2, 4, 3]);
    expect(cast(tensor([0, 2], { dtype: 'int32' }), 'float32').dtype).toBe('float32');
  });

  it('the layer classes', () => {
    const fc1 = new Affine(randn([2, 10], { std: 0.01, requiresGrad: true }), zeros([10], { requiresGrad: true }));
    const layer = new MatMul(randn([2, 10], { requiresGrad: true }));
    expect(fc1.forward(x).shape).toEqual([30, 10]);
    expect(layer.forward(x).shape).toEqual([30, 10]);
    const [W1, b1, W2, b2] = [randn([2, 10], { seed: 1 }), zeros([10]), randn([10, 3], { seed: 2 }), zeros([3])];
    const model = new Sequential([new Affine(W1, b1), new Sigmoid(), new Affine(W2, b2)]);
    const scores = model.forward(x);
    expect(scores.shape).toEqual([30, 3]);
  });
});

describe("the foundation issue's first program", () => {
  it('runs, and W.grad is a Float64Array shaped like W', async () => {
    const x = randn([30, 2], { dtype: 'float64', seed: 1 });
    const W = randn([2, 10], { dtype: 'float64', seed: 2, requiresGrad: true });
    const b = zeros([1, 10], { dtype: 'float64', requiresGrad: true });
    const V = randn([10, 3], { dtype: 'float64', seed: 3, requiresGrad: true });
    const labels = tensor(
      Array.from({ length: 30 }, (_, i) => i % 3),
      { dtype: 'int32' },
    ); // or one-hot
    const h = sigmoid(add(matmul(x, W), repeat(b, 0, 30))); // Repeat: [1,10] -> [30,10]
    const loss = softmaxWithLoss(matmul(h, V), labels); // mean cross entropy over the batch
    loss.backward();
    const grad = await W.grad!.data(); // Float64Array, same shape as W
    expect(grad).toBeInstanceOf(Float64Array);
    expect(W.grad!.shape).toEqual([2, 10]);
    expect(b.grad!.shape).toEqual([1, 10]);
    expect(V.grad!.shape).toEqual([10, 3]);
  });
});
