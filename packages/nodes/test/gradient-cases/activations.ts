// The gradient cases of the activations and elementwise ops: relu, leakyRelu, gelu, softplus,
// logSigmoid, erf, square, log1p, pow, maximum, minimum, clamp and where. Where a node has a kink
// (relu at 0, maximum where its operands meet, clamp at its bounds) the values are kept at least
// 0.1 from it, as abs's are, or drawn on a grid where operands either tie exactly or differ by 0.25:
// at an exact two-way tie a central difference gives the even split the rules give.
import fc from 'fast-check';
import { arbitraries } from '@graphgrad/core/testing';
import { sizeOf, tensor, type Shape, type Tensor } from '@graphgrad/core';
import {
  clamp,
  erf,
  gelu,
  greater,
  leakyRelu,
  log1p,
  logSigmoid,
  maximum,
  minimum,
  mul,
  pow,
  relu,
  softplus,
  square,
  where,
} from '../../src/index.ts';
import { awayFromZero, binary, instance, int32, POSITIVE, show, SMOOTH, unary, type GradientCase } from './support.ts';

/** A float64 tensor of `shape` with values on the grid k/4 + offset, k in [-8, 8]: ties are exact, other gaps ≥ 0.25. */
export function onGrid(shape: Shape, offset = 0): fc.Arbitrary<Tensor> {
  const n = sizeOf(shape);
  return fc.array(fc.integer({ min: -8, max: 8 }), { minLength: n, maxLength: n }).map((k) =>
    tensor(
      k.map((v) => v / 4 + offset),
      { shape, dtype: 'float64' },
    ),
  );
}

/** A shape that broadcasts to `full`: some leading axes dropped, some axes set to 1. */
function operandOf(full: Shape): fc.Arbitrary<number[]> {
  return fc
    .tuple(
      fc.integer({ min: 0, max: full.length }),
      fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
    )
    .map(([drop, ones]) => full.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
}

/** A binary node over broadcasting pairs of grid values (ties exact, otherwise 0.25 apart). */
function binaryOnGrid(name: string, node: string, fn: (a: Tensor, b: Tensor) => Tensor): GradientCase {
  return {
    name,
    node,
    instance: arbitraries
      .broadcastPair()
      .chain(([sa, sb]) => fc.tuple(onGrid(sa), onGrid(sb)))
      .map(([a, b]) => instance(`${name} ${show(a.shape)} ${show(b.shape)}`, fn, [a, b])),
  };
}

/** A unary node over values at least 0.1 from 0. */
function awayCase(name: string, node: string, fn: (x: Tensor) => Tensor): GradientCase {
  return {
    name,
    node,
    instance: arbitraries
      .shape()
      .chain(awayFromZero)
      .map((x) => instance(`${name} ${show(x.shape)}`, fn, [x])),
  };
}

export const ACTIVATION_CASES: readonly GradientCase[] = [
  awayCase('relu', 'ReluNode', relu),
  awayCase('leakyRelu', 'LeakyReluNode', (x) => leakyRelu(x)),
  awayCase('leakyRelu (slope 0.3)', 'LeakyReluNode', (x) => leakyRelu(x, 0.3)),
  unary('gelu', 'GeluNode', (x) => gelu(x), { min: -4, max: 4 }),
  unary('gelu (tanh approximation)', 'GeluNode', (x) => gelu(x, { approximate: 'tanh' }), { min: -4, max: 4 }),
  unary('softplus', 'SoftplusNode', (x) => softplus(x), { min: -6, max: 6 }),
  unary('softplus (beta 3)', 'SoftplusNode', (x) => softplus(x, { beta: 3 }), { min: -3, max: 3 }),
  unary('logSigmoid', 'LogSigmoidNode', logSigmoid, { min: -6, max: 6 }),
  unary('erf', 'ErfNode', erf, { min: -3, max: 3 }),
  unary('square', 'SquareNode', square),
  unary('log1p', 'Log1pNode', log1p, { min: -0.5, max: 3 }),
  binary('pow (positive bases)', 'PowNode', (a, b) => pow(b, a), POSITIVE),
  unary('pow (a number exponent)', 'PowNode', (x) => pow(x, 3)),
  unary('pow (a number base)', 'PowNode', (x) => pow(2.5, x)),
  binaryOnGrid('maximum', 'MaximumNode', maximum),
  binaryOnGrid('minimum', 'MinimumNode', minimum),
  {
    // number bounds off the grid: every element at least 0.1 from them
    name: 'clamp (number bounds)',
    node: 'ClampNode',
    instance: fc
      .tuple(
        arbitraries.shape(),
        fc.constantFrom<[number | undefined, number | undefined]>(
          [-0.6, 0.9],
          [-0.6, undefined],
          [undefined, 0.35],
          [1.1, -0.4],
        ),
      )
      .chain(([s, bounds]) => fc.tuple(onGrid(s), fc.constant(bounds)))
      .map(([x, [lo, hi]]) => instance(`clamp ${show(x.shape)} min=${lo} max=${hi}`, (t) => clamp(t, lo, hi), [x])),
  },
  {
    // tensor bounds on grids shifted by 0.1 and 0.05: x, min and max never meet
    name: 'clamp (tensor bounds)',
    node: 'ClampNode',
    instance: arbitraries
      .shape({ minRank: 1 })
      .chain((s) => fc.tuple(fc.constant(s), operandOf(s), operandOf(s)))
      .chain(([sx, sLo, sHi]) => fc.tuple(onGrid(sx), onGrid(sLo, 0.1), onGrid(sHi, 0.05)))
      .map(([x, lo, hi]) =>
        instance(`clamp ${show(x.shape)} ${show(lo.shape)} ${show(hi.shape)}`, (t, l, h) => clamp(t, l, h), [
          x,
          lo,
          hi,
        ]),
      ),
  },
  {
    name: 'where (a mask broadcast against both values)',
    node: 'WhereNode',
    instance: arbitraries
      .broadcastPair()
      .chain(([sa, sb]) =>
        fc.tuple(
          arbitraries.tensorOf(sa, SMOOTH),
          arbitraries.tensorOf(sb, SMOOTH),
          fc.array(fc.integer({ min: 0, max: 2 }), { minLength: sizeOf(sb), maxLength: sizeOf(sb) }),
        ),
      )
      .map(([a, b, picks]) => {
        const cond = int32(picks, b.shape);
        return instance(
          `where ${JSON.stringify(picks)} ${show(a.shape)} ${show(b.shape)}`,
          (x, y) => where(cond, x, y),
          [a, b],
        );
      }),
  },
  awayCase('where (a leaky ReLU from a float mask)', 'WhereNode', (x) => where(greater(x, 0), x, mul(x, 0.1))),
];

/** The comparison nodes: masks, with no gradient by design. */
export const COMPARISON_NODES = ['EqualNode', 'NotEqualNode', 'GreaterEqualNode'] as const;
