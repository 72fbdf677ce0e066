// The reductions and scans: max and min (ties share the gradient evenly, checked exactly),
// logsumexp and logSoftmax at the ends of the float range, cumsum and its reversed gradient,
// variance and std against numpy's and PyTorch's formulas, the norms and their subgradient at 0,
// and the errors of their arguments. The TSDoc examples are run here as written.
import { describe, expect, it } from 'vitest';
import { ArgumentError, AxisError, ShapeError, tensor, type NestedArray, type Tensor } from '@graphgrad/core';
import { cumsum, logSoftmax, logsumexp, max, min, mul, norm, softmax, std, sum, variance } from '../src/index.ts';

const f64 = (values: NestedArray, requiresGrad = false): Tensor => tensor(values, { dtype: 'float64', requiresGrad });
const values = (t: Tensor): number[] => Array.from(t.dataSync());
/** A matcher of numbers within 10^-digits / 2 of `v`. */
const near = (v: number, digits: number): unknown => expect.closeTo(v, digits);

describe('max and min', () => {
  it('reduce any axes with keepDims (the TSDoc examples), NaN propagating', () => {
    expect(
      values(
        max(
          tensor([
            [1, 5],
            [7, 2],
          ]),
          1,
        ),
      ),
    ).toEqual([5, 7]);
    expect(
      values(
        min(
          tensor([
            [1, 5],
            [7, 2],
          ]),
          1,
        ),
      ),
    ).toEqual([1, 2]);
    const x = f64([
      [
        [1, 9],
        [4, -3],
      ],
      [
        [0, 2],
        [8, 5],
      ],
    ]);
    expect(values(max(x))).toEqual([9]);
    expect(max(x).shape).toEqual([]);
    expect(values(max(x, [0, -1], true))).toEqual([9, 8]);
    expect(max(x, [0, -1], true).shape).toEqual([1, 2, 1]);
    expect(values(min(x, 1))).toEqual([1, -3, 0, 2]);
    expect(
      values(
        max(
          f64([
            [1, Number.NaN],
            [2, 3],
          ]),
          1,
        ),
      ),
    ).toEqual([Number.NaN, 3]);
    expect(
      values(
        min(
          f64([
            [1, Number.NaN],
            [2, 3],
          ]),
          1,
        ),
      ),
    ).toEqual([Number.NaN, 2]);
    // no elements along a kept axis is fine: [0, 3] along 1 is [0]
    expect(max(tensor(new Float64Array(0), { shape: [0, 3] }), 1).shape).toEqual([0]);
  });

  it('split the gradient evenly among tied maxima and minima, exactly', () => {
    const x = f64(
      [
        [1, 3, 3, 3],
        [2, 2, 0, 1],
      ],
      true,
    );
    sum(mul(max(x, 1), f64([1, 6]))).backward();
    expect(values(x.grad!)).toEqual([0, 1 / 3, 1 / 3, 1 / 3, 3, 3, 0, 0]);
    const y = f64(
      [
        [1, 3, 1],
        [4, 4, 4],
      ],
      true,
    );
    sum(min(y, -1, true)).backward();
    expect(values(y.grad!)).toEqual([0.5, 0, 0.5, 1 / 3, 1 / 3, 1 / 3]);
    // over every axis: the whole tensor's ties share dy
    const z = f64([5, 1, 5, 5], true);
    max(z).backward();
    expect(values(z.grad!)).toEqual([1 / 3, 0, 1 / 3, 1 / 3]);
  });

  it('refuse an empty reduction, naming the op, the axis and the shape', () => {
    expect(() => max(f64([]), 0)).toThrow(
      new ShapeError('max: axis 0 of [0] has length 0; the max of no elements is undefined'),
    );
    expect(() => min(tensor(new Float64Array(0), { shape: [2, 0] }))).toThrow(
      new ShapeError('min: axis 1 of [2,0] has length 0; the min of no elements is undefined'),
    );
    expect(() => max(f64([1, 2]), 1)).toThrow(AxisError);
  });
});

describe('logsumexp and logSoftmax', () => {
  it('logsumexp: no overflow (the TSDoc example), -Inf over nothing or all -Inf, Inf and NaN kept', () => {
    expect(values(logsumexp(f64([1000, 1000])))).toEqual([1000 + Math.LN2]);
    expect(values(logsumexp(tensor([1000, 1000])))).toEqual([Math.fround(1000 + Math.LN2)]);
    expect(values(logsumexp(f64([-1000, -1000])))).toEqual([-1000 + Math.LN2]);
    expect(values(logsumexp(f64([-Infinity, -Infinity])))).toEqual([-Infinity]);
    expect(values(logsumexp(f64([Infinity, 1])))).toEqual([Infinity]);
    expect(values(logsumexp(f64([Number.NaN, 1])))).toEqual([Number.NaN]);
    expect(values(logsumexp(f64([])))).toEqual([-Infinity]);
    const scores = f64([
      [1, 2, 3],
      [4, 5, 7],
    ]);
    expect(logsumexp(scores, -1, true).shape).toEqual([2, 1]);
    expect(values(logsumexp(scores, 0))).toEqual([
      expect.closeTo(Math.log(Math.exp(1) + Math.exp(4)), 14),
      expect.closeTo(Math.log(Math.exp(2) + Math.exp(5)), 14),
      expect.closeTo(Math.log(Math.exp(3) + Math.exp(7)), 14),
    ]);
  });

  it('logsumexp’s gradient is the softmax along the axes, finite at ±1e4', () => {
    const x = f64([[1e4, -1e4, 1e4]], true);
    logsumexp(x, 1).backward();
    // e^(x - y) with y = 1e4 + log 2 rounded at 1e4's scale: 0.5 to 13 digits
    expect(values(x.grad!)).toEqual([expect.closeTo(0.5, 12), 0, expect.closeTo(0.5, 12)]);
  });

  it('logSoftmax: -1e4 rather than -Inf (the TSDoc example), and its gradient dy - softmax·Σdy', () => {
    expect(values(logSoftmax(tensor([[0, 1e4]])))).toEqual([-1e4, 0]);
    expect(values(logSoftmax(f64([[0, 1e4]])))).toEqual([-1e4, 0]);
    const x = f64(
      [
        [0.5, -1, 2],
        [3, 0, -2],
      ],
      true,
    );
    const w = f64([
      [1, 0, 0],
      [0, 2, 0],
    ]);
    sum(mul(logSoftmax(x, 0), w)).backward();
    const p = values(softmax(x, 0));
    // column by column: dx = w - p·Σ_rows w
    expect(values(x.grad!)).toEqual([1 - p[0], -p[1] * 2, -p[2] * 0, -p[3], 2 - p[4] * 2, 0].map((v) => near(v, 14)));
  });
});

describe('cumsum', () => {
  it('runs along an axis, forwards or reversed (the TSDoc examples)', () => {
    expect(values(cumsum(tensor([1, 2, 3]), 0))).toEqual([1, 3, 6]);
    expect(values(cumsum(tensor([1, 2, 3]), 0, { reverse: true }))).toEqual([6, 5, 3]);
    expect(
      values(
        cumsum(
          f64([
            [1, 2],
            [3, 4],
          ]),
          0,
        ),
      ),
    ).toEqual([1, 2, 4, 6]);
    expect(
      values(
        cumsum(
          f64([
            [1, 2],
            [3, 4],
          ]),
          -1,
        ),
      ),
    ).toEqual([1, 3, 3, 7]);
    expect(values(cumsum(f64([1, Infinity, -Infinity, 2]), 0))).toEqual([1, Infinity, Number.NaN, Number.NaN]);
  });

  it('has the running sums of dy in the other direction as its gradient', () => {
    const x = f64([1, 2, 3, 4], true);
    sum(mul(cumsum(x, 0), f64([1, 10, 100, 1000]))).backward();
    expect(values(x.grad!)).toEqual([1111, 1110, 1100, 1000]);
    const y = f64([1, 2, 3], true);
    sum(mul(cumsum(y, 0, { reverse: true }), f64([1, 10, 100]))).backward();
    expect(values(y.grad!)).toEqual([1, 11, 111]);
  });

  it('needs an axis of the tensor', () => {
    expect(() => cumsum(f64(1), 0)).toThrow(new AxisError('cumsum: axis 0 is out of range for a tensor of rank 0'));
  });
});

describe('variance, std and norm', () => {
  it('variance and std: correction 1 by default (torch.var), 0 for numpy’s (the TSDoc examples)', () => {
    expect(values(variance(f64([1, 2, 3, 4])))).toEqual([expect.closeTo(5 / 3, 15)]);
    expect(values(variance(f64([1, 2, 3, 4]), 0, { correction: 0 }))).toEqual([1.25]);
    expect(values(std(f64([1, 2, 3, 4])))).toEqual([expect.closeTo(Math.sqrt(5 / 3), 15)]);
    const x = f64([
      [1, 4],
      [3, 8],
    ]);
    expect(values(variance(x, 0))).toEqual([2, 8]);
    expect(variance(x, 0, { keepDims: true }).shape).toEqual([1, 2]);
    expect(values(std(x, -1, { correction: 0 }))).toEqual([1.5, 2.5]);
    // one element with correction 1: 0/0, as torch.var gives
    expect(values(variance(f64([3])))).toEqual([Number.NaN]);
    expect(() => variance(x, 0, { correction: Number.NaN })).toThrow(
      new ArgumentError('variance: correction must be a finite number, got NaN'),
    );
  });

  it('variance’s gradient is 2(x - mean)/(N - correction)', () => {
    const x = f64([1, 2, 3, 6], true);
    variance(x).backward();
    expect(values(x.grad!)).toEqual([-4 / 3, -2 / 3, 0, 2].map((v) => near(v, 14)));
  });

  it('norm: p = 2, 1 and ∞ (the TSDoc examples), and any other p refused', () => {
    expect(values(norm(tensor([3, 4])))).toEqual([5]);
    expect(values(norm(tensor([3, -4]), 1))).toEqual([7]);
    const x = f64([
      [3, -4],
      [-6, 1],
    ]);
    expect(values(norm(x, Infinity, -1, true))).toEqual([4, 6]);
    expect(norm(x, Infinity, -1, true).shape).toEqual([2, 1]);
    expect(values(norm(x, 2, 0))).toEqual([Math.sqrt(45), Math.sqrt(17)]);
    expect(() => norm(x, 3)).toThrow(new ArgumentError('norm: p must be 1, 2 or Infinity, got 3'));
    expect(() => norm(f64([]), Infinity)).toThrow(ShapeError);
  });

  it('norm’s gradient is x/‖x‖, and 0 where ‖x‖ = 0 (PyTorch’s subgradient) for every p', () => {
    const x = f64(
      [
        [0, 0],
        [3, 4],
      ],
      true,
    );
    sum(norm(x, 2, 1)).backward();
    expect(values(x.grad!)).toEqual([0, 0, expect.closeTo(0.6, 15), expect.closeTo(0.8, 15)]);
    for (const p of [1, Infinity]) {
      const z = f64([0, 0, 0], true);
      norm(z, p).backward();
      expect(values(z.grad!)).toEqual([0, 0, 0]);
    }
  });
});
