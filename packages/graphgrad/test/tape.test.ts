// The tape and reverse mode: deep chains, accumulation, noGrad, retaining and freeing the graph, seed
// gradients, and gradients of gradients.
import { describe, expect, it } from 'vitest';
import {
  BackendError,
  cpuBackend,
  DTypeError,
  GraphFreedError,
  isGradEnabled,
  noGrad,
  NonFiniteSeedError,
  SeedGradientError,
  tensor,
  withGradMode,
  type Tensor,
} from '../src/index.ts';
import { add, exp, mul, sum, tanh } from '../src/index.ts';

const f64 = (values: number[] | number[][], requiresGrad = false): Tensor =>
  tensor(values, { dtype: 'float64', requiresGrad });
const values = (t: Tensor | null): number[] => Array.from(t!.dataSync());

describe('backward', () => {
  it('differentiates a 10,000-node chain without overflowing the stack', () => {
    const x = f64([0.5], true);
    let h = x;
    for (let i = 0; i < 10_000; i++) h = add(mul(h, 1), 0.001);
    expect(h.itemSync()).toBeCloseTo(10.5, 9);
    sum(h).backward();
    expect(values(x.grad)).toEqual([1]);
  });

  it('visits each node of a diamond ladder once (no path enumeration)', () => {
    // h = h + h fifty times: 2^50 paths from the root to x, but only 50 nodes.
    const x = f64([1], true);
    let h = x;
    for (let i = 0; i < 50; i++) h = add(h, h);
    sum(h).backward();
    expect(values(x.grad)).toEqual([2 ** 50]);
  });

  it('accumulates the gradients of a tensor used twice', () => {
    const x = f64([1, 2, 3], true);
    // y = Σ x·x + 3x: dy/dx = 2x + 3
    sum(add(mul(x, x), mul(x, 3))).backward();
    expect(values(x.grad)).toEqual([5, 7, 9]);
  });

  it('adds a later backward into the existing grad, and zeroGrad resets it', () => {
    const x = f64([1, 2], true);
    sum(mul(x, 2)).backward();
    sum(mul(x, x)).backward();
    expect(values(x.grad)).toEqual([4, 6]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
    sum(mul(x, 2)).backward();
    expect(values(x.grad)).toEqual([2, 2]);
  });

  it('un-broadcasts gradients to each input shape', () => {
    const a = f64([[1], [2], [3]], true); // [3,1]
    const b = f64([10, 20, 30, 40], true); // [4]
    const y = mul(a, b); // [3,4]
    sum(y).backward();
    expect(a.grad!.shape).toEqual([3, 1]);
    expect(values(a.grad)).toEqual([100, 100, 100]);
    expect(b.grad!.shape).toEqual([4]);
    expect(values(b.grad)).toEqual([6, 6, 6, 6]);
  });

  it('takes a seed gradient for a non-scalar output', () => {
    const x = f64([1, 2, 3], true);
    mul(x, x).backward(f64([1, 0.5, -1]));
    expect(values(x.grad)).toEqual([2, 2, -6]);
  });

  it('gives leaves only a grad; tensors that do not require one get none', () => {
    const x = f64([1, 2], true);
    const c = f64([3, 4]);
    const h = mul(x, c);
    sum(h).backward();
    expect(values(x.grad)).toEqual([3, 4]);
    expect(c.grad).toBeNull();
    expect(h.grad).toBeNull();
  });

  it('stops at detach()', () => {
    const x = f64([2], true);
    const y = mul(x, x.detach());
    expect(x.detach().requiresGrad).toBe(false);
    sum(y).backward();
    expect(values(x.grad)).toEqual([2]);
  });

  it('refuses to switch off the gradient of a computed tensor', () => {
    const y = mul(f64([1], true), 2);
    expect(() => {
      y.requiresGrad = false;
    }).toThrow(DTypeError);
  });
});

describe('noGrad', () => {
  it('records nothing', () => {
    const x = f64([1, 2], true);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return mul(exp(x), 2);
    });
    expect(y.requiresGrad).toBe(false);
    expect(y.origin).toBeNull();
    expect(isGradEnabled()).toBe(true);
    expect(() => sum(y).backward()).toThrow(SeedGradientError);
    expect(() => sum(y).backward()).toThrow(/does not require a gradient/);
  });

  it('restores the mode after a throw, and nests', () => {
    expect(() =>
      noGrad(() => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(isGradEnabled()).toBe(true);
    withGradMode(false, () => {
      withGradMode(true, () => expect(isGradEnabled()).toBe(true));
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
  });
});

describe('retaining and freeing the graph', () => {
  it('retainGraph allows a second backward, which accumulates', () => {
    const x = f64([1, 2], true);
    const y = sum(mul(x, x));
    y.backward({ retainGraph: true });
    expect(values(x.grad)).toEqual([2, 4]);
    y.backward();
    expect(values(x.grad)).toEqual([4, 8]);
  });

  it('a second backward through a freed graph is a GraphFreedError that says what to do', () => {
    const x = f64([1, 2], true);
    const y = sum(mul(x, x));
    y.backward();
    expect(() => y.backward()).toThrow(GraphFreedError);
    expect(() => y.backward()).toThrow(/already freed by an earlier backward\(\).*retainGraph: true/);
    expect(() => y.backward()).toThrow(/Sum/);
    // The first gradient is untouched by the failed attempt.
    expect(values(x.grad)).toEqual([2, 4]);
  });

  it('a freed sub-graph reused by a new graph is also refused', () => {
    const x = f64([1], true);
    const h = mul(x, x);
    sum(h).backward();
    expect(() => sum(add(h, 1)).backward()).toThrow(GraphFreedError);
  });
});

describe('seed gradients', () => {
  it('a non-scalar backward without a seed is a SeedGradientError naming the shape', () => {
    const y = mul(f64([[1, 2, 3]], true), 2);
    expect(() => y.backward()).toThrow(SeedGradientError);
    expect(() => y.backward()).toThrow('backward: tensor [1,3] is not a scalar; pass a seed gradient of shape [1,3]');
  });

  it('a seed of the wrong shape or dtype is a SeedGradientError', () => {
    const y = mul(f64([1, 2, 3], true), 2);
    expect(() => y.backward(f64([1, 2]))).toThrow(SeedGradientError);
    expect(() => y.backward(f64([1, 2]))).toThrow('backward: seed gradient [2] does not match tensor [3]');
    expect(() => y.backward(f64([[1, 2, 3]]))).toThrow(/seed gradient \[1,3\] does not match tensor \[3\]/);
    expect(() => y.backward(tensor([1, 2, 3], { dtype: 'float32' }))).toThrow(
      /seed gradient is float32, tensor is float64/,
    );
  });

  it('a seed on another backend is a BackendError', () => {
    const y = mul(f64([1, 2, 3], true), 2);
    const other = tensor([1, 1, 1], { dtype: 'float64', backend: cpuBackend() });
    expect(() => y.backward(other)).toThrow(BackendError);
  });

  it('a seed holding NaN or ±Inf is a NonFiniteSeedError', () => {
    const x = f64([1, 2, 3], true);
    const y = mul(x, 2);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => y.backward(f64([1, bad, 1]))).toThrow(NonFiniteSeedError);
    }
    expect(() => y.backward(f64([1, Number.NaN, 1]))).toThrow('backward: the seed gradient holds NaN or ±Inf');
    expect(x.grad).toBeNull();
  });

  it('a leaf can be the root: its grad is the seed', () => {
    const x = f64([1, 2], true);
    x.backward(f64([3, 4]));
    expect(values(x.grad)).toEqual([3, 4]);
  });
});

describe('createGraph', () => {
  it('gives a gradient that can be differentiated again: d²/dx² x³ = 6x', () => {
    const xs = [-1.5, 0.25, 2];
    const x = f64(xs, true);
    sum(mul(mul(x, x), x)).backward({ createGraph: true });
    const first = x.grad!;
    expect(first.requiresGrad).toBe(true);
    values(first).forEach((g, i) => expect(g).toBeCloseTo(3 * xs[i] ** 2, 12));
    x.grad = null;
    sum(first).backward();
    values(x.grad).forEach((g, i) => expect(g).toBeCloseTo(6 * xs[i], 12));
  });

  it('third derivative too: d³/dx³ tanh at 0.3', () => {
    const x = f64([0.3], true);
    sum(tanh(x)).backward({ createGraph: true });
    const g1 = x.grad!;
    x.grad = null;
    sum(g1).backward({ createGraph: true });
    const g2 = x.grad!;
    x.grad = null;
    sum(g2).backward();
    const t = Math.tanh(0.3);
    // d³/dx³ tanh = -2(1 - t²)(1 - 3t²)
    expect(values(x.grad)[0]).toBeCloseTo(-2 * (1 - t * t) * (1 - 3 * t * t), 12);
  });

  it('without createGraph the gradient is a plain leaf', () => {
    const x = f64([2], true);
    sum(mul(x, x)).backward();
    expect(x.grad!.requiresGrad).toBe(false);
    expect(x.grad!.origin).toBeNull();
  });
});
