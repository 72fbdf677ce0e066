// The gradient cases of the reductions and scans: max, min, logsumexp, logSoftmax, cumsum,
// variance, std and norm, over random shapes and axes (negative ones included). max, min and the
// ∞-norm get distinct values, at least 0.1 apart: with a tie of three a central difference gives
// 1/2 where the even split gives 1/3 (ties are checked exactly in reductions.test.ts). The norms'
// values keep 0.1 from 0, where a norm has its kink (its subgradient there is checked exactly too).
import fc from 'fast-check';
import { arbitraries } from '@graphgrad/core/testing';
import { normalizeAxes, sizeOf, tensor, type Shape, type Tensor } from '@graphgrad/core';
import { cumsum, logSoftmax, logsumexp, max, min, norm, std, variance } from '../../src/index.ts';
import { awayFromZero, axesOf, instance, reduction, shapeAndAxis, show, SMOOTH, type GradientCase } from './support.ts';

/**
 * A float64 tensor of `shape` (at most 64 elements) with distinct values, multiples of 0.1 in
 * [-4, 4]; with `magnitudes`, distinct absolute values in [0.1, 8] of random signs.
 */
function distinct(shape: Shape, magnitudes = false): fc.Arbitrary<Tensor> {
  const n = sizeOf(shape);
  return fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: magnitudes ? 1 : -40, max: magnitudes ? 80 : 40 }), {
        minLength: n,
        maxLength: n,
      }),
      fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    )
    .map(([k, negative]) =>
      tensor(
        k.map((v, i) => (magnitudes && negative[i] ? -v : v) / 10),
        { shape, dtype: 'float64' },
      ),
    );
}

/** A reduction over random axes and keepDims of tensors drawn by `values`. */
function reductionOf(
  name: string,
  node: string,
  values: (s: Shape) => fc.Arbitrary<Tensor>,
  fn: (x: Tensor, axes: number[] | number | undefined, keepDims: boolean) => Tensor,
): GradientCase {
  return {
    name,
    node,
    instance: arbitraries
      .shape()
      .chain((s) => fc.tuple(values(s), axesOf(s.length), fc.boolean()))
      .map(([x, axes, keepDims]) =>
        instance(
          `${name} ${show(x.shape)} axes=${JSON.stringify(axes)} keepDims=${keepDims}`,
          (t) => fn(t, axes, keepDims),
          [x],
        ),
      ),
  };
}

export const REDUCTION_CASES: readonly GradientCase[] = [
  reductionOf('max', 'MaxNode', (s) => distinct(s), max),
  reductionOf('min', 'MinNode', (s) => distinct(s), min),
  reduction('logsumexp', 'LogSumExpNode', logsumexp),
  {
    name: 'logSoftmax',
    node: 'LogSoftmaxNode',
    instance: shapeAndAxis
      .chain(([s, axis]) => fc.tuple(arbitraries.tensorOf(s, { min: -4, max: 4 }), fc.constant(axis)))
      .map(([x, axis]) => instance(`logSoftmax ${show(x.shape)} axis=${axis}`, (t) => logSoftmax(t, axis), [x])),
  },
  {
    name: 'cumsum',
    node: 'CumsumNode',
    instance: shapeAndAxis
      .chain(([s, axis]) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), fc.constant(axis), fc.boolean()))
      .map(([x, axis, reverse]) =>
        instance(`cumsum ${show(x.shape)} axis=${axis} reverse=${reverse}`, (t) => cumsum(t, axis, { reverse }), [x]),
      ),
  },
  {
    name: 'variance',
    node: 'SquareNode',
    instance: arbitraries
      .shape()
      .chain((s) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), axesOf(s.length), fc.boolean(), fc.constantFrom(0, 1)))
      .map(([x, axes, keepDims, drawn]) => {
        // N - correction > 0, so that the variance of one element stays finite (it is 0/0 with correction 1)
        const count = normalizeAxes('variance', axes, x.rank).reduce((n, a) => n * x.shape[a], 1);
        const correction = count > 1 ? drawn : 0;
        return instance(
          `variance ${show(x.shape)} axes=${JSON.stringify(axes)} keepDims=${keepDims} correction=${correction}`,
          (t) => variance(t, axes, { correction, keepDims }),
          [x],
        );
      }),
  },
  {
    // slices of at least two distinct values: a standard deviation of 0 has no derivative
    name: 'std',
    node: 'SqrtNode',
    instance: arbitraries
      .shape({ minRank: 1, minDim: 2, maxDim: 3 })
      .chain((s) => fc.tuple(distinct(s), axesOf(s.length), fc.boolean(), fc.constantFrom(0, 1)))
      .map(([x, axes, keepDims, correction]) => {
        const reduced = normalizeAxes('std', axes, x.rank).length > 0 ? axes : undefined;
        return instance(
          `std ${show(x.shape)} axes=${JSON.stringify(reduced)} keepDims=${keepDims} correction=${correction}`,
          (t) => std(t, reduced, { correction, keepDims }),
          [x],
        );
      }),
  },
  reductionOf('norm (p = 2)', 'NormNode', awayFromZero, (x, axes, keepDims) => norm(x, 2, axes, keepDims)),
  reductionOf('norm (p = 1)', 'AbsNode', awayFromZero, (x, axes, keepDims) => norm(x, 1, axes, keepDims)),
  reductionOf(
    'norm (p = Infinity)',
    'MaxNode',
    (s) => distinct(s, true),
    (x, axes, keepDims) => norm(x, Infinity, axes, keepDims),
  ),
];
