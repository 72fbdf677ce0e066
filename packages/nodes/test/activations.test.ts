// The activations, elementwise ops and comparisons: values against PyTorch's and numpy's (computed
// with math.erf, math.log1p and the formulas in float64), their behaviour at 0, at ties and at the
// ends of the float range, the gradients at their kinks, and the errors of their arguments. The
// TSDoc examples are run here as written.
import { describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, ShapeError, tensor, type NestedArray, type Tensor } from '@graphgrad/core';
import {
  argmax,
  clamp,
  equal,
  erf,
  gelu,
  greater,
  greaterEqual,
  leakyRelu,
  less,
  lessEqual,
  log1p,
  logSigmoid,
  maximum,
  minimum,
  mul,
  notEqual,
  pow,
  relu,
  softplus,
  square,
  sum,
  where,
} from '../src/index.ts';

const f64 = (values: NestedArray, requiresGrad = false): Tensor => tensor(values, { dtype: 'float64', requiresGrad });
const values = (t: Tensor): number[] => Array.from(t.dataSync());
/** The gradient of Σ f(x) with respect to each of `xs`. */
function gradients(f: (...xs: Tensor[]) => Tensor, ...xs: Tensor[]): number[][] {
  sum(f(...xs)).backward();
  return xs.map((x) => (x.grad === null ? [] : values(x.grad)));
}

describe('relu and leakyRelu', () => {
  it('relu: the TSDoc example, NaN kept, and the gradient 0 at x = 0 (not maximum’s 1/2)', () => {
    expect(values(relu(tensor([-1, 0, 2])))).toEqual([0, 0, 2]);
    expect(values(relu(f64([Number.NaN, -Infinity, Infinity])))).toEqual([Number.NaN, 0, Infinity]);
    const x = f64([-1, 0, 2], true);
    expect(gradients(relu, x)).toEqual([[0, 0, 1]]);
    // maximum(x, 0), the same values, splits the gradient at the tie
    const y = f64([-1, 0, 2], true);
    expect(gradients((t) => maximum(t, 0), y)).toEqual([[0, 0.5, 1]]);
  });

  it('leakyRelu: the TSDoc examples, and the slope as the gradient at 0 (PyTorch’s)', () => {
    expect(values(leakyRelu(f64([-2, 3])))).toEqual([-0.02, 3]);
    expect(values(leakyRelu(f64([-2, 3]), 0.2))).toEqual([-0.4, 3]);
    const x = f64([-2, 0, 3], true);
    expect(gradients((t) => leakyRelu(t, 0.2), x)).toEqual([[0.2, 0.2, 1]]);
    expect(values(leakyRelu(f64([Number.NaN])))).toEqual([Number.NaN]);
  });
});

describe('gelu, softplus, logSigmoid, erf, log1p, square', () => {
  it('gelu: exact and tanh forms (the TSDoc examples), against Φ computed with math.erf', () => {
    expect(values(gelu(f64([-1, 0, 1])))).toEqual([
      expect.closeTo(-0.15865525393145707, 15),
      0,
      expect.closeTo(0.8413447460685429, 15),
    ]);
    expect(values(gelu(f64([-1, 0, 1]), { approximate: 'tanh' }))).toEqual([
      expect.closeTo(-0.15880800939172324, 15),
      0,
      expect.closeTo(0.8411919906082768, 15),
    ]);
    // the derivative at 0 is Φ(0) = 1/2 in both forms
    const x = f64([0], true);
    expect(gradients((t) => gelu(t, { approximate: 'tanh' }), x)).toEqual([[0.5]]);
  });

  it('softplus: no overflow at ±1e4, log1p’s digits at -40, x itself beyond the threshold', () => {
    expect(values(softplus(f64([-1e4, 0, 1e4])))).toEqual([0, Math.LN2, 1e4]);
    expect(values(softplus(tensor([-1e4, 0, 1e4])))).toEqual([0, Math.fround(Math.LN2), 1e4]);
    expect(values(softplus(f64([-40])))[0]).toBeCloseTo(4.248354255291589e-18, 30);
    // threshold 20 (PyTorch's default): 21 is returned as is, with gradient 1
    const x = f64([-1e4, 0, 21, 1e4], true);
    expect(gradients((t) => softplus(t), x)).toEqual([[0, 0.5, 1, 1]]);
    // beta: log(1 + e^(βx))/β
    expect(values(softplus(f64([1]), { beta: 2 }))[0]).toBeCloseTo(Math.log1p(Math.exp(2)) / 2, 15);
  });

  it('logSigmoid: finite at ±1e4 (the TSDoc example) with gradients σ(-x) at their limits', () => {
    expect(values(logSigmoid(f64([-1e4, 0, 1e4])))).toEqual([-1e4, -Math.LN2, 0]);
    expect(values(logSigmoid(f64([40])))[0]).toBeCloseTo(-4.248354255291589e-18, 30);
    const x = f64([-1e4, 0, 1e4], true);
    expect(gradients(logSigmoid, x)).toEqual([[1, 0.5, 0]]);
  });

  it('erf against math.erf, odd, ±1 at the ends; log1p keeps the digits that log(1 + x) loses', () => {
    expect(values(erf(f64([0, 0.5, 3, -2, Infinity, -Infinity])))).toEqual([
      0,
      expect.closeTo(0.5204998778130465, 15),
      expect.closeTo(0.9999779095030014, 15),
      expect.closeTo(-0.9953222650189527, 15),
      1,
      -1,
    ]);
    expect(values(erf(tensor([0, 0.5, 3])))).toEqual([
      0,
      Math.fround(0.5204998778130465),
      Math.fround(0.9999779095030014),
    ]);
    const [got] = values(log1p(f64([1e-10])));
    expect(got).toBe(9.999999999500001e-11);
    expect(values(log1p(f64([-1, -2])))).toEqual([-Infinity, Number.NaN]);
    expect(values(log1p(tensor([1e-10, 1])))).toEqual([Math.fround(1e-10), Math.fround(Math.LN2)]);
  });

  it('square and its gradient 2x', () => {
    expect(values(square(tensor([-2, 3])))).toEqual([4, 9]);
    const x = f64([-2, 0.5], true);
    expect(gradients(square, x)).toEqual([[-4, 1]]);
  });
});

describe('pow', () => {
  it("follows C's pow (numpy's, PyTorch's) at its special values", () => {
    const base = f64([1, 1, -1, Number.NaN, -8, -2, 0, -0, 2]);
    const exponent = f64([Number.NaN, Infinity, -Infinity, 0, 1 / 3, 3, -1, -1, 0.5]);
    expect(values(pow(base, exponent))).toEqual([1, 1, 1, 1, Number.NaN, -8, Infinity, -Infinity, Math.SQRT2]);
    expect(values(pow(f64([2, 3]), 2))).toEqual([4, 9]);
    expect(values(pow(2, f64([3, -1])))).toEqual([8, 0.5]);
  });

  it("takes PyTorch's gradients at 0: none through x⁰, none to the exponent of a zero base", () => {
    // d/dx x⁰ is 0 everywhere, at x = 0 too (not 0·0⁻¹ = NaN)
    const x = f64([0, 2], true);
    expect(gradients((t) => pow(t, 0), x)).toEqual([[0, 0]]);
    // d/db 0ᵇ is 0 for b ≥ 0 (not 0·log 0 = NaN), and the base's gradient b·0^(b-1)
    const a = f64([0, 0, 2], true);
    const b = f64([0, 2, 3], true);
    const [da, db] = gradients(pow, a, b);
    expect(da).toEqual([0, 0, 12]);
    expect(db).toEqual([0, 0, expect.closeTo(8 * Math.LN2, 14)]);
    // a fractional power of 0 has an infinite slope, as in PyTorch
    const z = f64([0], true);
    expect(gradients((t) => pow(t, 0.5), z)).toEqual([[Infinity]]);
  });
});

describe('maximum, minimum, clamp', () => {
  it('maximum and minimum propagate NaN and split the gradient evenly at ties', () => {
    expect(values(maximum(tensor([1, 5]), tensor([3, 2])))).toEqual([3, 5]);
    expect(values(minimum(tensor([1, 5]), tensor([3, 2])))).toEqual([1, 2]);
    expect(values(maximum(f64([Number.NaN, 1]), f64([0, Number.NaN])))).toEqual([Number.NaN, Number.NaN]);
    expect(values(minimum(f64([Number.NaN, 1]), 0))).toEqual([Number.NaN, 0]);
    const a = f64([1, 2, 5], true);
    const b = f64([1, 3, 4], true);
    expect(gradients(maximum, a, b)).toEqual([
      [0.5, 0, 1],
      [0.5, 1, 0],
    ]);
    a.zeroGrad();
    b.zeroGrad();
    expect(gradients(minimum, a, b)).toEqual([
      [0.5, 1, 0],
      [0.5, 0, 1],
    ]);
  });

  it('clamp: the TSDoc examples, one bound, min > max, NaN, and the gradient inclusive of the bounds', () => {
    expect(values(clamp(tensor([-2, 0.5, 3]), 0, 1))).toEqual([0, 0.5, 1]);
    expect(values(clamp(f64([-2, 25]), undefined, 20))).toEqual([-2, 20]);
    expect(values(clamp(f64([-2, 25]), 0))).toEqual([0, 25]);
    expect(values(clamp(f64([-2, 0.5, 3]), 1, 0))).toEqual([0, 0, 0]);
    expect(values(clamp(f64([Number.NaN, 0.5]), 0, 1))).toEqual([Number.NaN, 0.5]);
    expect(values(clamp(f64([0.5]), Number.NaN, 1))).toEqual([Number.NaN]);
    const x = f64([-1, 0, 0.5, 1, 2], true);
    expect(gradients((t) => clamp(t, 0, 1), x)).toEqual([[0, 1, 1, 1, 0]]);
  });

  it('clamp with tensor bounds: each bound takes the gradient where it took effect', () => {
    const x = f64([-2, 0.5, 3, 0.5], true);
    const lo = f64([-1, -1, -1, 1], true); // the last is above hi: that element is hi
    const hi = f64([1, 1, 1, 0.8], true);
    expect(values(clamp(x, lo, hi))).toEqual([-1, 0.5, 1, 0.8]);
    expect(gradients((t, l, h) => clamp(t, l, h), x, lo, hi)).toEqual([
      [0, 1, 0, 0],
      [1, 0, 0, 0],
      [0, 0, 1, 1],
    ]);
  });
});

describe('where', () => {
  it('picks a where the condition is nonzero (NaN too), b elsewhere, broadcasting all three', () => {
    const cond = f64([[1], [0], [Number.NaN]]);
    expect(values(where(cond, f64([10, 20]), -1))).toEqual([10, 20, -1, -1, 10, 20]);
    expect(values(where(tensor([0, 3, -1], { dtype: 'int32' }), tensor([1, 2, 3]), tensor([7, 8, 9])))).toEqual([
      7, 2, 3,
    ]);
    expect(where(tensor([1, 0], { dtype: 'int32' }), 1, 0).dtype).toBe('float32');
    expect(values(where(f64([1, 0]), 1, 0))).toEqual([1, 0]);
  });

  it('sends the gradient to a where the condition holds and to b elsewhere (the TSDoc example)', () => {
    const x = f64([-2, 3], true);
    const y = where(greater(x, 0), x, mul(x, 0.1)); // a leaky ReLU
    expect(values(y)).toEqual([-0.2, 3]);
    sum(y).backward();
    expect(values(x.grad!)).toEqual([0.1, 1]);
    const a = f64([1, 2, 3], true);
    const b = f64([4], true);
    expect(gradients((p, q) => where(f64([1, 0, 1]), p, q), a, b)).toEqual([[1, 0, 1], [1]]);
  });
});

describe('comparisons', () => {
  it('give 1/0 masks in the inputs’ dtype, int32 included (the TSDoc examples)', () => {
    expect(values(greaterEqual(tensor([1, 2, 3]), 2))).toEqual([0, 1, 1]);
    expect(values(less(tensor([1, 2, 3]), 2))).toEqual([1, 0, 0]);
    expect(values(lessEqual(tensor([1, 2, 3]), 2))).toEqual([1, 1, 0]);
    const labels = tensor([0, 2, 1], { dtype: 'int32' });
    const scores = tensor([
      [0.9, 0.1, 0],
      [0.2, 0.3, 0.5],
      [0.6, 0.3, 0.1],
    ]);
    const right = equal(argmax(scores), labels);
    expect([right.dtype, values(right)]).toEqual(['int32', [1, 1, 0]]);
    expect(values(notEqual(tensor([3, -100, 1], { dtype: 'int32' }), -100))).toEqual([1, 0, 1]);
    expect(greater(tensor([1], { dtype: 'int32' }), 0).dtype).toBe('int32');
  });

  it('treat NaN as numpy does: unequal to everything, itself included; -0 equals 0', () => {
    const a = f64([Number.NaN, Number.NaN, -0, 1]);
    const b = f64([Number.NaN, 1, 0, Number.NaN]);
    expect(values(equal(a, b))).toEqual([0, 0, 1, 0]);
    expect(values(notEqual(a, b))).toEqual([1, 1, 0, 1]);
    expect(values(greaterEqual(a, b))).toEqual([0, 0, 1, 0]);
    expect(values(lessEqual(a, b))).toEqual([0, 0, 1, 0]);
    expect(values(less(a, b))).toEqual([0, 0, 0, 0]);
  });

  it('record no node and pass no gradient', () => {
    const x = f64([1, 2], true);
    for (const mask of [equal(x, 1), notEqual(x, 1), greaterEqual(x, 1), less(x, 2), lessEqual(x, 2)]) {
      expect(mask.requiresGrad).toBe(false);
      expect(mask.origin).toBeNull();
    }
  });
});

describe('errors name the op, the argument, expected and actual', () => {
  it('activations', () => {
    const x = tensor([1, 2]);
    expect(() => leakyRelu(x, Number.NaN)).toThrow(
      new ArgumentError('leakyRelu: slope must be a finite number, got NaN'),
    );
    expect(() => gelu(x, { approximate: 'fast' as 'tanh' })).toThrow(
      new ArgumentError(`gelu: approximate must be 'none' or 'tanh', got "fast"`),
    );
    expect(() => softplus(x, { beta: 0 })).toThrow(
      new ArgumentError('softplus: beta must be a positive finite number, got 0'),
    );
    expect(() => relu(tensor([1], { dtype: 'int32' }))).toThrow(
      new DTypeError("relu: input 'x' is int32; relu needs float32 or float64"),
    );
  });

  it('elementwise ops of two or three operands', () => {
    const x = tensor([1, 2]);
    expect(() => pow(x, tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => pow(x, tensor([1, 2, 3]))).toThrow(/pow/);
    expect(() => maximum(x, tensor([1, 2], { dtype: 'float64' }))).toThrow(
      new DTypeError('maximum: dtypes differ: a is float32, b is float64'),
    );
    expect(() => clamp(x)).toThrow(new ArgumentError('clamp: give min, max or both (both are undefined)'));
    expect(() => clamp(x, tensor([0], { dtype: 'float64' }))).toThrow(
      new DTypeError('clamp: min is float64, x is float32'),
    );
    expect(() => clamp(x, tensor([0, 0, 0]))).toThrow(ShapeError);
    expect(() => where('yes' as unknown as Tensor, x, x)).toThrow(
      new ArgumentError('where: cond must be a Tensor, got "yes"'),
    );
    expect(() => where(tensor([1, 0, 1]), x, x)).toThrow(/where/);
    expect(() => equal(tensor([1], { dtype: 'int32' }), 1.5)).toThrow(
      new ArgumentError(
        'equal: b is 1.5, which an int32 tensor cannot hold; compare with an integer or cast the tensor to float',
      ),
    );
    expect(() => less(tensor([1], { dtype: 'int32' }), tensor([1]))).toThrow(
      new DTypeError('less: dtypes differ: a is int32, b is float32'),
    );
    expect(() => erf(tensor([1], { dtype: 'int32' }))).toThrow(DTypeError);
  });
});
