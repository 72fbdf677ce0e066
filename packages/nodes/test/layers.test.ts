// The book's layer classes: the two-layer net of §1.4 (Affine → Sigmoid → Affine →
// SoftmaxWithLoss), its gradient check, Sequential and the plain layers array, params and grads.
import { describe, expect, it } from 'vitest';
import { gradCheck, randn, tensor, zeros, type Tensor } from '@graphgrad/core';
import {
  Affine,
  MatMul,
  Sequential,
  Sigmoid,
  Softmax,
  SoftmaxWithLoss,
  oneHot,
  softmax,
  type Layer,
} from '../src/index.ts';

const [I, H, O, N] = [2, 10, 3, 30];

const x = randn([N, I], { seed: 1, dtype: 'float64' });
const labels = tensor(
  Array.from({ length: N }, (_, i) => i % O),
  { dtype: 'int32' },
);
const oneHotLabels = oneHot(labels, O, 'float64');

interface Params {
  W1: Tensor;
  b1: Tensor;
  W2: Tensor;
  b2: Tensor;
}

/** Parameters of the two-layer net: the book's 0.01·randn, or unit scale, and zero or random biases. */
function params(scale: number, randomBias: boolean): Params {
  const bias = (n: number, seed: number): Tensor =>
    randomBias
      ? randn([n], { seed, std: 0.5, dtype: 'float64', requiresGrad: true })
      : zeros([n], { dtype: 'float64', requiresGrad: true });
  return {
    W1: randn([I, H], { seed: 2, std: scale, dtype: 'float64', requiresGrad: true }),
    b1: bias(H, 3),
    W2: randn([H, O], { seed: 4, std: scale, dtype: 'float64', requiresGrad: true }),
    b2: bias(O, 5),
  };
}

const twoLayerNet = ({ W1, b1, W2, b2 }: Params): Sequential =>
  new Sequential([new Affine(W1, b1), new Sigmoid(), new Affine(W2, b2)]);
const lossLayer = new SoftmaxWithLoss();
const bits = (t: Tensor | null): number[] => Array.from(t!.dataSync());

describe('the two-layer net (I=2, H=10, O=3, N=30, float64)', () => {
  for (const [label, scale, randomBias] of [
    ["the book's initialisation (0.01·randn, zero biases)", 0.01, false],
    ['unit-scale weights and random biases', 1, true],
  ] as const) {
    for (const [targets, t] of [
      ['class indices', labels],
      ['one-hot targets', oneHotLabels],
    ] as const) {
      it(`passes gradCheck for every parameter with relative error < 1e-6: ${label}, ${targets}`, async () => {
        const p = params(scale, randomBias);
        const result = await gradCheck(
          (W1, b1, W2, b2) => lossLayer.forward(twoLayerNet({ W1, b1, W2, b2 }).forward(x), t),
          [p.W1, p.b1, p.W2, p.b2],
        );
        expect(result.passed, result.message).toBe(true);
        expect(result.inputs.map((r) => r.shape)).toEqual([[I, H], [H], [H, O], [O]]);
        for (const report of result.inputs) expect(report.relError, result.message).toBeLessThan(1e-6);
      });
    }
  }

  it('Sequential and the plain layers array give the same loss and gradients', () => {
    const a = params(1, true);
    const model = twoLayerNet(a);
    const lossA = lossLayer.forward(model.forward(x), labels);
    lossA.backward();

    const b = params(1, true);
    const layers: Layer[] = [new Affine(b.W1, b.b1), new Sigmoid(), new Affine(b.W2, b.b2)];
    let h = x;
    for (const layer of layers) h = layer.forward(h);
    const lossB = lossLayer.forward(h, labels);
    lossB.backward();

    expect(lossA.itemSync()).toBe(lossB.itemSync());
    // The book's loss at initialisation: about log 3 for small weights; here just finite and positive.
    expect(lossA.itemSync()).toBeGreaterThan(0);
    const paramsB = layers.flatMap((l) => l.params);
    model.params.forEach((p, i) => expect(bits(p.grad)).toEqual(bits(paramsB[i].grad)));
  });

  it("starts near log 3 with the book's initialisation", () => {
    const loss = lossLayer.forward(twoLayerNet(params(0.01, false)).forward(x), labels);
    expect(loss.itemSync()).toBeCloseTo(Math.log(3), 3);
  });
});

describe('params and grads', () => {
  it('list every parameter in layer order, the same tensor objects, and their gradients', () => {
    const p = params(1, false);
    const model = twoLayerNet(p);
    expect(model.params).toEqual([p.W1, p.b1, p.W2, p.b2]);
    model.params.forEach((q, i) => expect(q).toBe([p.W1, p.b1, p.W2, p.b2][i]));
    expect(model.grads).toEqual([null, null, null, null]);
    lossLayer.forward(model.forward(x), labels).backward();
    const grads = model.grads;
    grads.forEach((g, i) => {
      expect(g).toBe(model.params[i].grad);
      expect(g!.shape).toEqual(model.params[i].shape);
    });
    // Each layer's own lists, too.
    const [affine1, sigmoidLayer] = model.layers;
    expect(affine1.params).toEqual([p.W1, p.b1]);
    expect(affine1.grads).toEqual([p.W1.grad, p.b1.grad]);
    expect(sigmoidLayer.params).toEqual([]);
    expect(sigmoidLayer.grads).toEqual([]);
  });

  it('Affine: the bias gradient is the column sum of the upstream gradient (its Repeat is a Sum)', () => {
    const W = randn([I, H], { seed: 6, dtype: 'float64', requiresGrad: true });
    const b = zeros([H], { dtype: 'float64', requiresGrad: true });
    const y = new Affine(W, b).forward(x);
    const dy = randn([N, H], { seed: 7, dtype: 'float64' });
    y.backward(dy);
    const d = bits(dy);
    const colSums = Array.from({ length: H }, (_, j) =>
      Array.from({ length: N }, (_, n) => d[n * H + j]).reduce((s, v) => s + v, 0),
    );
    bits(b.grad).forEach((g, j) => expect(g).toBeCloseTo(colSums[j], 12));
  });
});

describe('weight sharing in Sequential', () => {
  it('lists a shared parameter once, and its gradient is the sum over its uses', async () => {
    const W = randn([3, 3], { seed: 8, dtype: 'float64', requiresGrad: true });
    const b = zeros([3], { dtype: 'float64', requiresGrad: true });
    const shared = new Sequential([new MatMul(W), new Sigmoid(), new Affine(W, b), new Sigmoid(), new MatMul(W)]);
    expect(shared.params).toEqual([W, b]);
    expect(shared.grads).toEqual([null, null]);
    const input = randn([4, 3], { seed: 9, dtype: 'float64' });
    const t = tensor([0, 1, 2, 0], { dtype: 'int32' });
    const result = await gradCheck(
      (w, bias) =>
        lossLayer.forward(
          new Sequential([new MatMul(w), new Sigmoid(), new Affine(w, bias), new Sigmoid(), new MatMul(w)]).forward(
            input,
          ),
          t,
        ),
      [W, b],
    );
    expect(result.passed, result.message).toBe(true);
    lossLayer.forward(shared.forward(input), t).backward();
    expect(shared.grads[0]).toBe(W.grad);
    expect(shared.grads).toHaveLength(2);
  });

  it('nests: a Sequential inside a Sequential', () => {
    const p = params(1, false);
    const inner = new Sequential([new Affine(p.W1, p.b1), new Sigmoid()]);
    const outer = new Sequential([inner, new Affine(p.W2, p.b2), new Softmax()]);
    expect(outer.params).toEqual([p.W1, p.b1, p.W2, p.b2]);
    const probs = outer.forward(x);
    expect(probs.shape).toEqual([N, O]);
    expect(bits(probs)).toEqual(bits(softmax(twoLayerNet(p).forward(x))));
  });
});
