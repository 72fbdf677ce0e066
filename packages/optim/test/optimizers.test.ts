import { cpuBackend } from '@graphgrad/cpu';
import { randn, tensor, tidy, zeros, type Tensor } from '@graphgrad/core';
import { add, matmul, mul, sum } from '@graphgrad/nodes';
import { describe, expect, it } from 'vitest';
import { AdaGrad, Adam, Momentum, Nesterov, type Optimizer, RMSprop, SGD } from '../src/index.ts';

// Two steps from p = [1, -2] with the gradients g1 = [0.5, -1] and g2 = [0.25, 2], in float64 so
// the hand-computed values (derivations beside them) hold to many digits.
const g1 = [0.5, -1];
const g2 = [0.25, 2];

async function twoSteps(make: (params: Tensor[]) => Optimizer): Promise<number[][]> {
  const p = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
  const optimizer = make([p]);
  const seen: number[][] = [];
  for (const g of [g1, g2]) {
    p.grad = tensor(g, { dtype: 'float64' });
    optimizer.step();
    seen.push(Array.from(await p.data()));
  }
  return seen;
}

function expectClose(actual: number[][], expected: number[][]): void {
  actual.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 9)));
}

describe('the book optimizers, first two steps by hand', () => {
  it('SGD: p -= lr·g', async () => {
    // lr 0.1: 1 - 0.05 = 0.95, -2 + 0.1 = -1.9; then 0.95 - 0.025 = 0.925, -1.9 - 0.2 = -2.1
    expectClose(await twoSteps((ps) => new SGD(ps, { lr: 0.1 })), [
      [0.95, -1.9],
      [0.925, -2.1],
    ]);
  });

  it('Momentum: v = 0.9·v - lr·g; p += v', async () => {
    // v1 = [-0.05, 0.1]; v2 = 0.9·v1 - 0.1·g2 = [-0.045 - 0.025, 0.09 - 0.2] = [-0.07, -0.11]
    expectClose(await twoSteps((ps) => new Momentum(ps, { lr: 0.1 })), [
      [0.95, -1.9],
      [0.88, -2.01],
    ]);
  });

  it('Nesterov: v = 0.9·v - lr·g; p += 0.81·v - 1.9·lr·g', async () => {
    // step 1: 0.81·[-0.05, 0.1] - 0.19·[0.5, -1] = [-0.1355, 0.271]
    // step 2: v2 = [-0.07, -0.11]; 0.81·v2 - 0.19·[0.25, 2] = [-0.1042, -0.4691]
    expectClose(await twoSteps((ps) => new Nesterov(ps, { lr: 0.1 })), [
      [0.8645, -1.729],
      [0.7603, -2.1981],
    ]);
  });

  it('AdaGrad: h += g²; p -= lr·g / (√h + 1e-7)', async () => {
    // h1 = [0.25, 1]: p -= [0.05 / 0.5000001, -0.1 / 1.0000001] = [0.04999999, -0.09999999]
    // h2 = [0.3125, 5]: p -= [0.025 / 0.5590171, 0.2 / 2.2360681] = [0.04472134, 0.08944271]
    expectClose(await twoSteps((ps) => new AdaGrad(ps, { lr: 0.1 })), [
      [0.90000002, -1.90000001],
      [0.8552786684, -1.9894427251],
    ]);
  });

  it('RMSprop: h = 0.99·h + 0.01·g²; p -= lr·g / (√h + 1e-7)', async () => {
    // lr 0.01. h1 = [0.0025, 0.01], √h1 = [0.05, 0.1]: p -= [0.1, -0.1] (less a hair for the 1e-7)
    // h2 = [0.002475 + 0.000625, 0.0099 + 0.04] = [0.0031, 0.0499]: p -= [0.0025 / 0.0556776, 0.02 / 0.2233831]
    expectClose(await twoSteps((ps) => new RMSprop(ps)), [
      [0.9000001999996, -1.9000000999999],
      [0.8550989551, -1.9895323561],
    ]);
  });

  it('Adam: lr_t = lr·√(1 - β2^t) / (1 - β1^t); m, v moving averages; p -= lr_t·m / (√v + 1e-7)', async () => {
    // t = 1: lr_t = 0.001·√0.001 / 0.1 = 3.16228e-4; m = [0.05, -0.1]; v = [2.5e-4, 1e-3];
    //   p -= lr_t·m / √v = lr_t·[3.16228, -3.16228] ≈ [0.001, -0.001]
    // t = 2: lr_t = 0.001·√0.001999 / 0.19 = 2.35317e-4; m = [0.07, 0.11]; v = [3.1225e-4, 4.999e-3];
    //   p -= lr_t·[0.07 / 0.0176706, 0.11 / 0.0707036] = [9.3218e-4, 3.6610e-4]
    expectClose(await twoSteps((ps) => new Adam(ps)), [
      [0.9990000063, -1.9990000032],
      [0.998067832, -1.9993661062],
    ]);
  });

  it('uses the book defaults', () => {
    const p = tensor([1], { requiresGrad: true });
    expect(new SGD([p]).lr).toBe(0.01);
    expect(new Momentum([p])).toMatchObject({ lr: 0.01, momentum: 0.9 });
    expect(new Nesterov([p])).toMatchObject({ lr: 0.01, momentum: 0.9 });
    expect(new AdaGrad([p]).lr).toBe(0.01);
    expect(new RMSprop([p])).toMatchObject({ lr: 0.01, decayRate: 0.99 });
    expect(new Adam([p])).toMatchObject({ lr: 0.001, beta1: 0.9, beta2: 0.999 });
  });
});

describe('Optimizer', () => {
  it('keeps state per parameter, keyed by the tensor', async () => {
    const a = tensor([1], { dtype: 'float64', requiresGrad: true });
    const b = tensor([1], { dtype: 'float64', requiresGrad: true });
    const optimizer = new Momentum([a, b], { lr: 0.1 });
    a.grad = tensor([1], { dtype: 'float64' });
    b.grad = tensor([-2], { dtype: 'float64' });
    optimizer.step();
    expect(Array.from(await optimizer.state.get(a)!.v.data())).toEqual([-0.1]);
    expect(Array.from(await optimizer.state.get(b)!.v.data())).toEqual([0.2]);
  });

  it('skips a parameter without a gradient, and zeroGrad clears every gradient', async () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3], { requiresGrad: true });
    const optimizer = new SGD([a, b], { lr: 1 });
    b.grad = tensor([1]);
    optimizer.step();
    expect(Array.from(await a.data())).toEqual([1, 2]);
    expect(Array.from(await b.data())).toEqual([2]);
    optimizer.zeroGrad();
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
  });

  it('lists a parameter given twice once, and updates it once', async () => {
    const w = tensor([1], { dtype: 'float64', requiresGrad: true });
    const optimizer = new SGD([w, w], { lr: 0.5 });
    expect(optimizer.params).toEqual([w]);
    w.grad = tensor([1], { dtype: 'float64' });
    optimizer.step();
    expect(Array.from(await w.data())).toEqual([0.5]);
  });

  it('rejects a computed tensor, or one without requiresGrad, as a parameter', () => {
    const w = tensor([1], { requiresGrad: true });
    expect(() => new SGD([mul(w, 2)])).toThrow(
      /SGD: parameter Tensor\(.*Mul.*\) must be a leaf tensor with requiresGrad/,
    );
    expect(() => new Momentum([w.detach()])).toThrow(/Momentum: parameter .* must be a leaf tensor with requiresGrad/);
  });

  it('rejects a learning rate that is not a finite non-negative number', () => {
    const w = tensor([1], { requiresGrad: true });
    expect(() => new SGD([w], { lr: Number.NaN })).toThrow(/SGD: lr must be a finite number ≥ 0, got NaN/);
    expect(() => new Adam([w], { beta1: 1 })).toThrow(/Adam: beta1 must be in \[0, 1\), got 1/);
  });
});

describe('optimizer memory', () => {
  const makers: [string, (ps: Tensor[]) => Optimizer][] = [
    ['SGD', (ps) => new SGD(ps)],
    ['Momentum', (ps) => new Momentum(ps)],
    ['Nesterov', (ps) => new Nesterov(ps)],
    ['AdaGrad', (ps) => new AdaGrad(ps)],
    ['RMSprop', (ps) => new RMSprop(ps)],
    ['Adam', (ps) => new Adam(ps)],
  ];

  it.each(makers)('%s: a training step leaves the number of live buffers unchanged', (_name, make) => {
    const backend = cpuBackend();
    const x = randn([8, 3], { seed: 1, backend });
    const W = randn([3, 2], { seed: 2, backend, requiresGrad: true });
    const b = zeros([2], { backend, requiresGrad: true });
    const baseline = backend.liveBuffers();
    const optimizer = make([W, b]);
    const live: number[] = [];
    for (let i = 0; i < 25; i++) {
      optimizer.zeroGrad();
      tidy(() => sum(mul(add(matmul(x, W), b), add(matmul(x, W), b))).backward());
      optimizer.step();
      live.push(backend.liveBuffers());
    }
    expect(new Set(live).size).toBe(1);
    // what remains is the gradients and the optimizer state; without them, only x, W and b
    optimizer.dispose();
    optimizer.zeroGrad();
    expect(backend.liveBuffers()).toBe(baseline);
  });
});
