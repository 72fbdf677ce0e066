// The node cases of slicing and joining: slices (views, picks, negative steps, overlapping uses),
// the scatter that is their backward, concat, stack, split, unbind and the reshapes and transposes
// that name axes.
import {
  add,
  concat,
  flatten,
  mul,
  permute,
  sigmoid,
  slice,
  SliceScatterNode,
  split,
  squeeze,
  stack,
  tanh,
  transpose,
  unbind,
  unsqueeze,
} from '@graphgrad/nodes';
import type { NodeCase } from './node-cases.ts';

const normal = (...shape: number[]) => ({ shape, values: 'normal' as const });

/** The node cases of slicing and joining, concatenated into `NODE_CASES`. */
export const SLICING_NODE_CASES: readonly NodeCase[] = [
  { kind: 'Slice', name: 'x[:, 1:3] of [3,5]', floats: [normal(3, 5)], fn: ([a]) => slice(a, [null, [1, 3]]) },
  { kind: 'Slice', name: 'h[:, t, :] of [2,4,3]', floats: [normal(2, 4, 3)], fn: ([a]) => slice(a, [null, 2, null]) },
  {
    kind: 'Slice',
    name: "x[::-1, -1] (a negative step's copy, a pick)",
    floats: [normal(4, 3)],
    fn: ([a]) => slice(a, '::-1, -1'),
  },
  {
    kind: 'Slice',
    name: 'x[..., None, 1::2] with an ellipsis and a new axis',
    floats: [normal(2, 3, 5)],
    fn: ([a]) => slice(a, ['...', 'newaxis', [1, null, 2]]),
  },
  {
    kind: 'Slice',
    name: 'overlapping slices of one tensor accumulate',
    floats: [normal(3, 6)],
    fn: ([a]) => add(mul(slice(a, [null, [0, 4]]), slice(a, [null, [2, 6]])), slice(a, [null, [1, 5]])),
  },
  {
    kind: 'Slice',
    name: 'of a transposed view',
    floats: [normal(4, 5)],
    fn: ([a]) =>
      slice(transpose(a), [
        [1, null, 2],
        [-3, null],
      ]),
  },
  {
    kind: 'SliceScatter',
    name: '[2,3] written into zeros [4,5] at 1::2, 4:0:-2',
    floats: [normal(2, 3)],
    fn: ([a]) =>
      SliceScatterNode.apply([a], { starts: [1, 4], steps: [2, -2], lengths: [2, 3], shape: [2, 3], into: [4, 5] }),
  },
  {
    kind: 'SliceScatter',
    name: 'a picked row written back into [3,4]',
    floats: [normal(4)],
    fn: ([a]) =>
      SliceScatterNode.apply([a], { starts: [1, 0], steps: [1, 1], lengths: [1, 4], shape: [4], into: [3, 4] }),
  },
  {
    kind: 'Concat',
    name: '[3,2] and [3,4] along 1',
    floats: [normal(3, 2), normal(3, 4)],
    fn: ([a, b]) => concat([a, b], 1),
  },
  {
    kind: 'Concat',
    name: 'one tensor used twice, along 0',
    floats: [normal(2, 3), normal(1, 3)],
    fn: ([a, b]) => concat([a, b, a]),
  },
  {
    kind: 'Concat',
    name: 'int32 tensors (no gradient)',
    floats: [],
    ints: [
      { shape: [2, 2], values: { ints: [-50, 50] } },
      { shape: [2, 3], values: { ints: [-50, 50] } },
    ],
    fn: (_f, [i, j]) => concat([i, j], -1),
  },
  {
    kind: 'Stack',
    name: 'three [2,3] hidden states along 1',
    floats: [normal(2, 3), normal(2, 3), normal(2, 3)],
    fn: ([a, b, c]) => stack([a, b, c], 1),
  },
  {
    kind: 'Stack',
    name: 'slices of one tensor along -1',
    floats: [normal(3, 4)],
    fn: ([a]) => stack([slice(a, [null, 0]), slice(a, [null, 3]), slice(a, [null, 1])], -1),
  },
  {
    kind: 'Split',
    name: "an LSTM's gates [3,4·2] into four, through sigmoid and tanh",
    floats: [normal(3, 8), normal(3, 2)],
    fn: ([gates, c]) => {
      const [f, g, i, o] = split(gates, 4, 1);
      const next = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(g)));
      return mul(sigmoid(o), tanh(next));
    },
  },
  {
    kind: 'Split',
    name: 'sizes [1,2,1] along 0, two pieces unused',
    floats: [normal(4, 3)],
    fn: ([a]) => split(a, [1, 2, 1])[1],
  },
  {
    kind: 'Unbind',
    name: 'the time steps of [2,3,4] through a tanh recurrence',
    floats: [normal(2, 3, 4)],
    fn: ([xs]) => unbind(xs, 1).reduce((h, x) => tanh(add(h, x))),
  },
  {
    kind: 'Transpose',
    name: 'two axes (0, -1) of [2,3,4]',
    floats: [normal(2, 3, 4)],
    fn: ([a]) => transpose(a, 0, -1),
  },
  {
    kind: 'Transpose',
    name: 'permute [1,-1,0] of [2,3,4]',
    floats: [normal(2, 3, 4)],
    fn: ([a]) => permute(a, [1, -1, 0]),
  },
  {
    kind: 'Reshape',
    name: 'squeeze, unsqueeze and flatten of a slice view',
    floats: [normal(3, 1, 4, 2)],
    fn: ([a]) => flatten(unsqueeze(squeeze(slice(a, [null, null, [1, 3]]), 1), 0), 1),
  },
];
