// The gradient cases of chapter 1's nodes (and of the engine's own Add, Alias, BroadcastTo, SumTo).
import fc from 'fast-check';
import { arbitraries } from '@graphgrad/core/testing';
import { AliasNode, broadcastsTo, broadcastTo, sizeOf, sumTo, type Shape, type Tensor } from '@graphgrad/core';
import {
  abs,
  add,
  branch,
  cast,
  div,
  exp,
  gather,
  log,
  matmul,
  mean,
  mul,
  neg,
  oneHot,
  repeat,
  reshape,
  sigmoid,
  softmax,
  softmaxWithLoss,
  sqrt,
  sub,
  sum,
  tanh,
  transpose,
} from '../../src/index.ts';
import {
  awayFromZero,
  binary,
  instance,
  int32,
  POSITIVE,
  reduction,
  reshapeTargets,
  shapeAndAxis,
  show,
  SMOOTH,
  unary,
  type GradientCase,
  type Instance,
} from './support.ts';

function matmulCase(transposeA: boolean, transposeB: boolean): GradientCase {
  const name = `matmul transposeA=${transposeA} transposeB=${transposeB}`;
  return {
    name,
    node: 'MatMulNode',
    instance: arbitraries
      .matmulShapes()
      .chain(([[m, k], [, n]]) =>
        fc.tuple(
          arbitraries.tensorOf(transposeA ? [k, m] : [m, k], SMOOTH),
          arbitraries.tensorOf(transposeB ? [n, k] : [k, n], SMOOTH),
        ),
      )
      .map(([a, b]) =>
        instance(`${name} ${show(a.shape)} ${show(b.shape)}`, (x, y) => matmul(x, y, { transposeA, transposeB }), [
          a,
          b,
        ]),
      ),
  };
}

/** Logits [..., C] (rank 2 or 3) with int32 class indices or one-hot float64 rows. */
function softmaxWithLossCase(targets: 'indices' | 'one-hot'): GradientCase {
  const name = `softmaxWithLoss (${targets})`;
  return {
    name,
    node: 'SoftmaxWithLossNode',
    instance: fc
      .tuple(arbitraries.shape({ minRank: 1, maxRank: 2 }), fc.integer({ min: 1, max: 5 }))
      .chain(([rows, classes]) =>
        fc.tuple(
          arbitraries.tensorOf([...rows, classes], { min: -3, max: 3 }),
          fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: sizeOf(rows), maxLength: sizeOf(rows) }),
        ),
      )
      .map(([logits, labels]) => {
        const rows = logits.shape.slice(0, -1);
        const classes = logits.shape[logits.rank - 1];
        const indices = int32(labels, rows);
        const target = targets === 'indices' ? indices : oneHot(indices, classes, 'float64');
        return instance(
          `${name} logits ${show(logits.shape)} labels ${JSON.stringify(labels)}`,
          (a) => softmaxWithLoss(a, target),
          [logits],
        );
      }),
  };
}

/** One stage of a composite: a node applied so that its output is often a strided view. */
type Stage = { readonly label: string; readonly apply: (x: Tensor) => Tensor };

function stage(s: Shape): fc.Arbitrary<Stage> {
  const rank = s.length;
  const axis = rank > 0 ? fc.integer({ min: -rank, max: rank - 1 }) : fc.constant(undefined);
  return fc.oneof(
    fc
      .shuffledSubarray(
        s.map((_, i) => i),
        { minLength: rank, maxLength: rank },
      )
      .map((perm) => ({ label: `transpose${JSON.stringify(perm)}`, apply: (x: Tensor) => transpose(x, perm) })),
    fc
      .integer({ min: 1, max: 3 })
      .map((n) => ({ label: `broadcastTo[${n},...]`, apply: (x: Tensor) => broadcastTo(x, [n, ...x.shape]) })),
    fc.constant({ label: 'tanh', apply: tanh }),
    fc.constant({ label: 'x·x', apply: (x: Tensor) => mul(x, x) }),
    fc.constant({ label: 'reshape[-1]', apply: (x: Tensor) => reshape(x, [-1]) }),
    axis.map((a) => ({ label: `sum(${a}, keepDims)`, apply: (x: Tensor) => sum(x, a, true) })),
    ...(rank > 0
      ? [
          axis.map((a) => ({ label: `softmax(${a})`, apply: (x: Tensor) => softmax(x, a) })),
          axis.map((a) => ({ label: `repeat(${a}, 2)`, apply: (x: Tensor) => repeat(x, a!, 2) })),
        ]
      : []),
  );
}

/** Chains of two or three stages, each drawn for the shape the previous one produced. */
const composite: fc.Arbitrary<Instance> = arbitraries.shape({ maxDim: 3 }).chain((s) =>
  arbitraries.tensorOf(s, SMOOTH).chain((x) => {
    const grow = (stages: Stage[], probe: Tensor, left: number): fc.Arbitrary<Stage[]> =>
      left === 0
        ? fc.constant(stages)
        : stage(probe.shape).chain((next) => grow([...stages, next], next.apply(probe), left - 1));
    return fc
      .integer({ min: 2, max: 3 })
      .chain((n) => grow([], x, n))
      .map((stages) =>
        instance(
          `composite ${show(x.shape)}: ${stages.map((st) => st.label).join(' -> ')}`,
          (t) => stages.reduce((h, st) => st.apply(h), t),
          [x],
        ),
      );
  }),
);

export const CHAPTER_ONE_CASES: readonly GradientCase[] = [
  binary('add', 'AddNode', add),
  unary('add (number operand)', 'AddNode', (x) => add(x, 3)),
  binary('sub', 'SubNode', sub),
  unary('sub (number operand)', 'SubNode', (x) => sub(1, x)),
  binary('mul', 'MulNode', mul),
  unary('mul (self)', 'MulNode', (x) => mul(x, x)),
  binary('div', 'DivNode', div, POSITIVE),
  unary('div (number numerator)', 'DivNode', (x) => div(1, x), POSITIVE),
  unary('neg', 'NegNode', neg),
  unary('alias (a second handle on the same values)', 'AliasNode', (x) => AliasNode.apply([x])),
  unary('exp', 'ExpNode', exp),
  unary('log', 'LogNode', log, POSITIVE),
  unary('sqrt', 'SqrtNode', sqrt, POSITIVE),
  unary('sigmoid', 'SigmoidNode', sigmoid, { min: -4, max: 4 }),
  unary('tanh', 'TanhNode', tanh),
  {
    name: 'abs',
    node: 'AbsNode',
    instance: arbitraries
      .shape()
      .chain(awayFromZero)
      .map((x) => instance(`abs ${show(x.shape)}`, abs, [x])),
  },
  matmulCase(false, false),
  matmulCase(true, false),
  matmulCase(false, true),
  matmulCase(true, true),
  reduction('sum', 'SumNode', sum),
  reduction('mean', 'SumNode', mean),
  {
    name: 'repeat',
    node: 'RepeatNode',
    instance: shapeAndAxis
      .chain(([s, axis]) =>
        fc.tuple(arbitraries.tensorOf(s, SMOOTH), fc.constant(axis), fc.integer({ min: 0, max: 3 })),
      )
      .map(([x, axis, times]) =>
        instance(`repeat ${show(x.shape)} axis=${axis} times=${times}`, (t) => repeat(t, axis, times), [x]),
      ),
  },
  {
    name: 'broadcastTo',
    node: 'BroadcastToNode',
    instance: arbitraries
      .broadcastPair()
      .map(([a, b]) => (broadcastsTo(a, b) ? [a, b] : [b, a]))
      .chain(([from, to]) =>
        arbitraries
          .tensorOf(from, SMOOTH)
          .map((x) => instance(`broadcastTo ${show(from)} -> ${show(to)}`, (t) => broadcastTo(t, to), [x])),
      ),
  },
  {
    name: 'sumTo',
    node: 'SumToNode',
    instance: arbitraries
      .broadcastPair()
      .map(([a, b]) => (broadcastsTo(a, b) ? [a, b] : [b, a]))
      .chain(([to, from]) =>
        arbitraries
          .tensorOf(from, SMOOTH)
          .map((x) => instance(`sumTo ${show(from)} -> ${show(to)}`, (t) => sumTo(t, to), [x])),
      ),
  },
  {
    name: 'branch',
    node: 'BranchNode',
    // Each copy feeds a different function, and copies past `used` are left unused (zero gradient).
    instance: fc
      .tuple(arbitraries.shape(), fc.integer({ min: 1, max: 4 }))
      .chain(([s, n]) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), fc.constant(n), fc.integer({ min: 1, max: n })))
      .map(([x, n, used]) =>
        instance(
          `branch ${show(x.shape)} n=${n} used=${used}`,
          (t) => {
            const copies = branch(t, n).slice(0, used);
            return copies.reduce((total, c, i) => add(total, mul(c, i + 2)), mul(copies[0], copies[0]));
          },
          [x],
        ),
      ),
  },
  {
    name: 'reshape',
    node: 'ReshapeNode',
    instance: arbitraries
      .shape()
      .chain((s) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), reshapeTargets(s)))
      .map(([x, to]) => instance(`reshape ${show(x.shape)} -> ${show(to)}`, (t) => reshape(t, to), [x])),
  },
  {
    name: 'transpose',
    node: 'TransposeNode',
    instance: arbitraries
      .shape({ maxRank: 4 })
      .chain((s) =>
        fc.tuple(
          arbitraries.tensorOf(s, SMOOTH),
          fc.option(
            fc.shuffledSubarray(
              s.map((_, i) => i),
              { minLength: s.length, maxLength: s.length },
            ),
            { nil: undefined },
          ),
        ),
      )
      .map(([x, perm]) =>
        instance(`transpose ${show(x.shape)} perm=${JSON.stringify(perm)}`, (t) => transpose(t, perm), [x]),
      ),
  },
  {
    name: 'softmax',
    node: 'SoftmaxNode',
    instance: shapeAndAxis
      .chain(([s, axis]) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), fc.constant(axis)))
      .map(([x, axis]) => instance(`softmax ${show(x.shape)} axis=${axis}`, (t) => softmax(t, axis), [x])),
  },
  softmaxWithLossCase('indices'),
  softmaxWithLossCase('one-hot'),
  {
    name: 'gather',
    node: 'GatherNode',
    // Indices repeat rows on purpose: their gradients must add up.
    instance: fc
      .tuple(arbitraries.shape({ minRank: 1 }), arbitraries.shape({ maxRank: 2 }))
      .chain(([s, indexShape]) =>
        fc.tuple(
          arbitraries.tensorOf(s, SMOOTH),
          fc.constant(indexShape),
          fc.array(fc.integer({ min: 0, max: s[0] - 1 }), {
            minLength: sizeOf(indexShape),
            maxLength: sizeOf(indexShape),
          }),
        ),
      )
      .map(([x, indexShape, picks]) => {
        const indices = int32(picks, indexShape);
        return instance(
          `gather ${show(x.shape)} indices ${JSON.stringify(picks)} ${show(indexShape)}`,
          (t) => gather(t, indices),
          [x],
        );
      }),
  },
  unary('cast float64 -> float64', 'CastNode', (x) => cast(x, 'float64')),
  // Gradients through strided views (transposes, broadcasts) handed from node to node.
  { name: 'composite chains', node: null, instance: composite },
];

/** Node kinds of chapter 1 that carry no gradient by design. */
export const CHAPTER_ONE_NON_DIFFERENTIABLE = ['GreaterNode', 'ArgMaxNode', 'OneHotNode'] as const;
