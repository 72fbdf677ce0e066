import { AliasNode, broadcastTo, sumTo, type Tensor } from '@graphgrad/core';
import {
  abs,
  add,
  Affine,
  argmax,
  branch,
  cast,
  div,
  exp,
  gather,
  greater,
  log,
  matmul,
  mean,
  mul,
  neg,
  oneHot,
  repeat,
  reshape,
  Sequential,
  sigmoid,
  Sigmoid,
  softmax,
  softmaxWithLoss,
  sqrt,
  sub,
  sum,
  tanh,
  transpose,
} from '@graphgrad/nodes';
import type { InputSpec } from './kernel-cases.ts';
import { MATH_NODE_CASES } from './node-cases-math.ts';
import { MATMUL_GATHER_NODE_CASES } from './node-cases-matmul-gather.ts';
import { RECURRENT_NODE_CASES } from './node-cases-recurrent.ts';
import { SLICING_NODE_CASES } from './node-cases-slicing.ts';

/**
 * One use of a node through @graphgrad/nodes: float inputs (which require a gradient), int32
 * inputs (labels, indices) and the function of them. On every backend the forward values and the
 * gradient of Σ w·fn(x) (fixed random w) with respect to each float input are compared with the CPU
 * float64 backend; on that backend the gradients are checked against finite differences.
 */
export interface NodeCase {
  /** The node kind (the `kind` of an `XxxNode` export) the case goes through. */
  readonly kind: string;
  readonly name: string;
  readonly floats: readonly InputSpec[];
  readonly ints?: readonly InputSpec[];
  readonly fn: (floats: readonly Tensor[], ints: readonly Tensor[], float: 'float32' | 'float64') => Tensor;
}

/** Values whose distance from 0 is at least 0.2 (so |x| and x > 0 are smooth under finite differences). */
const AWAY_FROM_ZERO = [0.7, -1.3, 0.25, -0.4, 2.1, -0.9, 1.6, -2.2, 0.5, -0.3, 1.1, -1.7];

export const NODE_CASES: readonly NodeCase[] = [
  {
    kind: 'Add',
    name: 'broadcast [3,4] + [4]',
    floats: [
      { shape: [3, 4], values: 'normal' },
      { shape: [4], values: 'normal' },
    ],
    fn: ([a, b]) => add(a, b),
  },
  { kind: 'Add', name: 'plus a number', floats: [{ shape: [2, 3], values: 'normal' }], fn: ([a]) => add(a, 2.5) },
  {
    kind: 'Sub',
    name: 'broadcast [2,3] - [2,1]',
    floats: [
      { shape: [2, 3], values: 'normal' },
      { shape: [2, 1], values: 'normal' },
    ],
    fn: ([a, b]) => sub(a, b),
  },
  {
    kind: 'Mul',
    name: '[3,4] · [3,4]',
    floats: [
      { shape: [3, 4], values: 'normal' },
      { shape: [3, 4], values: 'normal' },
    ],
    fn: ([a, b]) => mul(a, b),
  },
  {
    kind: 'Mul',
    name: 'x · x (one tensor used twice)',
    floats: [{ shape: [5], values: 'normal' }],
    fn: ([a]) => mul(a, a),
  },
  {
    kind: 'Div',
    name: '[2,3] / [3]',
    floats: [
      { shape: [2, 3], values: 'normal' },
      { shape: [3], values: 'positive' },
    ],
    fn: ([a, b]) => div(a, b),
  },
  { kind: 'Neg', name: '[2,3]', floats: [{ shape: [2, 3], values: 'normal' }], fn: ([a]) => neg(a) },
  { kind: 'Exp', name: '[2,3]', floats: [{ shape: [2, 3], values: 'normal' }], fn: ([a]) => exp(a) },
  {
    kind: 'Log',
    name: '[2,3] of positive values',
    floats: [{ shape: [2, 3], values: 'positive' }],
    fn: ([a]) => log(a),
  },
  {
    kind: 'Sqrt',
    name: '[2,3] of positive values',
    floats: [{ shape: [2, 3], values: 'positive' }],
    fn: ([a]) => sqrt(a),
  },
  { kind: 'Sigmoid', name: '[3,4]', floats: [{ shape: [3, 4], values: 'wide' }], fn: ([a]) => sigmoid(a) },
  { kind: 'Tanh', name: '[3,4]', floats: [{ shape: [3, 4], values: 'normal' }], fn: ([a]) => tanh(a) },
  { kind: 'Abs', name: '[12] away from 0', floats: [{ shape: [12], values: AWAY_FROM_ZERO }], fn: ([a]) => abs(a) },
  {
    kind: 'Greater',
    name: 'ReLU as x · (x > 0)',
    floats: [{ shape: [3, 4], values: AWAY_FROM_ZERO }],
    fn: ([a]) => mul(a, greater(a, 0)),
  },
  {
    kind: 'Greater',
    name: 'a mask from two tensors',
    floats: [
      { shape: [2, 3], values: 'normal' },
      { shape: [3], values: 'normal' },
    ],
    fn: ([a, b]) => greater(a, b),
  },
  ...([false, true] as const).flatMap((ta) =>
    ([false, true] as const).map((tb) => ({
      kind: 'MatMul',
      name: `${ta ? 'Aᵀ' : 'A'}·${tb ? 'Bᵀ' : 'B'} of [3,4]·[4,5]`,
      floats: [
        { shape: ta ? [4, 3] : [3, 4], values: 'normal' as const },
        { shape: tb ? [5, 4] : [4, 5], values: 'normal' as const },
      ],
      fn: ([a, b]: readonly Tensor[]) => matmul(a, b, { transposeA: ta, transposeB: tb }),
    })),
  ),
  { kind: 'Sum', name: 'every axis', floats: [{ shape: [3, 4], values: 'normal' }], fn: ([a]) => sum(a) },
  {
    kind: 'Sum',
    name: 'along 1, keepDims',
    floats: [{ shape: [3, 4], values: 'normal' }],
    fn: ([a]) => sum(a, 1, true),
  },
  {
    kind: 'Sum',
    name: 'rank 3 along [0,2]',
    floats: [{ shape: [2, 3, 2], values: 'normal' }],
    fn: ([a]) => sum(a, [0, 2]),
  },
  { kind: 'Sum', name: 'mean along 0', floats: [{ shape: [4, 3], values: 'normal' }], fn: ([a]) => mean(a, 0) },
  {
    kind: 'Repeat',
    name: '[1,3] four times along 0',
    floats: [{ shape: [1, 3], values: 'normal' }],
    fn: ([a]) => repeat(a, 0, 4),
  },
  {
    kind: 'BroadcastTo',
    name: '[3,1] to [2,3,4]',
    floats: [{ shape: [3, 1], values: 'normal' }],
    fn: ([a]) => broadcastTo(a, [2, 3, 4]),
  },
  {
    kind: 'SumTo',
    name: '[2,3,4] to [3,1]',
    floats: [{ shape: [2, 3, 4], values: 'normal' }],
    fn: ([a]) => sumTo(a, [3, 1]),
  },
  {
    kind: 'SumTo',
    name: '[4,3] to [3] (leading axes only)',
    floats: [{ shape: [4, 3], values: 'normal' }],
    fn: ([a]) => sumTo(a, [3]),
  },
  {
    kind: 'Alias',
    name: 'a second handle, used with the first',
    floats: [{ shape: [2, 3], values: 'normal' }],
    fn: ([a]) => mul(AliasNode.apply([a]), a),
  },
  {
    kind: 'Branch',
    name: 'x · exp(x) through two branches',
    floats: [{ shape: [2, 3], values: 'normal' }],
    fn: ([a]) => {
      const [p, q] = branch(a, 2);
      return mul(p, exp(q));
    },
  },
  {
    kind: 'Reshape',
    name: 'of a transposed view, with -1',
    floats: [{ shape: [3, 4], values: 'normal' }],
    fn: ([a]) => reshape(transpose(a, [1, 0]), [2, -1]),
  },
  {
    kind: 'Transpose',
    name: 'rank 3 by [2,0,1]',
    floats: [{ shape: [2, 3, 4], values: 'normal' }],
    fn: ([a]) => transpose(a, [2, 0, 1]),
  },
  {
    kind: 'Softmax',
    name: 'along the last axis',
    floats: [{ shape: [3, 5], values: 'wide' }],
    fn: ([a]) => softmax(a),
  },
  { kind: 'Softmax', name: 'along axis 0', floats: [{ shape: [4, 3], values: 'wide' }], fn: ([a]) => softmax(a, 0) },
  {
    kind: 'SoftmaxWithLoss',
    name: 'with int32 labels',
    floats: [{ shape: [5, 3], values: 'wide' }],
    ints: [{ shape: [5], values: { ints: [0, 3] } }],
    fn: ([a], [t]) => softmaxWithLoss(a, t),
  },
  {
    kind: 'SoftmaxWithLoss',
    name: 'with probabilities (a softmax of constants)',
    floats: [{ shape: [4, 3], values: 'wide' }],
    ints: [{ shape: [4, 3], values: { ints: [-3, 4] } }],
    fn: ([a], [t], float) => softmaxWithLoss(a, softmax(cast(t, float))),
  },
  {
    kind: 'OneHot',
    name: 'as a mask of the logits',
    floats: [{ shape: [4, 3], values: 'normal' }],
    ints: [{ shape: [4], values: { ints: [0, 3] } }],
    fn: ([a], [t], float) => mul(a, oneHot(t, 3, float)),
  },
  {
    kind: 'Gather',
    name: 'rows picked twice accumulate',
    floats: [{ shape: [4, 3], values: 'normal' }],
    ints: [{ shape: [5], values: [3, 0, 3, 1, 3], int32: true }],
    fn: ([a], [i]) => gather(a, i),
  },
  {
    kind: 'ArgMax',
    name: 'the predicted class',
    floats: [{ shape: [5, 4], values: 'normal' }],
    fn: ([a]) => argmax(a),
  },
  {
    kind: 'Cast',
    name: 'to int32 (no gradient)',
    floats: [{ shape: [6], values: 'wide' }],
    fn: ([a]) => cast(a, 'int32'),
  },
  {
    kind: 'Cast',
    name: 'to the same float dtype',
    floats: [{ shape: [2, 3], values: 'normal' }],
    fn: ([a], _i, float) => mul(cast(a, float), a),
  },
  {
    kind: 'Sequential',
    name: "the book's two-layer net: Affine, Sigmoid, Affine, SoftmaxWithLoss",
    floats: [
      { shape: [6, 2], values: 'normal' },
      { shape: [2, 4], values: 'normal' },
      { shape: [4], values: 'normal' },
      { shape: [4, 3], values: 'normal' },
      { shape: [3], values: 'normal' },
    ],
    ints: [{ shape: [6], values: { ints: [0, 3] } }],
    fn: ([x, W1, b1, W2, b2], [t]) =>
      softmaxWithLoss(new Sequential([new Affine(W1, b1), new Sigmoid(), new Affine(W2, b2)]).forward(x), t),
  },
  ...SLICING_NODE_CASES,
  ...MATMUL_GATHER_NODE_CASES,
  ...MATH_NODE_CASES,
  ...RECURRENT_NODE_CASES,
];
