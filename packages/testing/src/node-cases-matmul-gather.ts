// The node cases of batched matrix products, gathers along any axis, the scatter-add that is their
// backward (segmentSum, indexAdd) and the book's Embedding.
import { add, Affine, embedding, gather, indexAdd, matmul, segmentSum, tanh } from '@graphgrad/nodes';
import type { NodeCase } from './node-cases.ts';

const normal = (...shape: number[]) => ({ shape, values: 'normal' as const });
const ids = (shape: number[], values: number[]) => ({ shape, values, int32: true });

/** The node cases of batched MatMul, Gather, SegmentSum, IndexAdd and embedding, concatenated into `NODE_CASES`. */
export const MATMUL_GATHER_NODE_CASES: readonly NodeCase[] = [
  {
    kind: 'MatMul',
    name: '[2,3,4]·[4,5]: a weight shared by the batch',
    floats: [normal(2, 3, 4), normal(4, 5)],
    fn: ([a, b]) => matmul(a, b),
  },
  {
    kind: 'MatMul',
    name: '[2,3,4]·[2,5,4]ᵀ',
    floats: [normal(2, 3, 4), normal(2, 5, 4)],
    fn: ([a, b]) => matmul(a, b, { transposeB: true }),
  },
  {
    kind: 'MatMul',
    name: '[2,1,4,3]ᵀ·[2,3,4,2]: batch axes broadcast both ways',
    floats: [normal(2, 1, 4, 3), normal(2, 3, 4, 2)],
    fn: ([a, b]) => matmul(a, b, { transposeA: true }),
  },
  {
    kind: 'MatMul',
    name: '[3,4]·[2,4,5]: a broadcast left operand',
    floats: [normal(3, 4), normal(2, 4, 5)],
    fn: ([a, b]) => matmul(a, b),
  },
  {
    kind: 'MatMul',
    name: '1-D operands: [4]·[2,4,3] and [2,3]·[3]',
    floats: [normal(4), normal(2, 4, 3), normal(3)],
    fn: ([v, m, w]) => matmul(matmul(v, m), w),
  },
  {
    kind: 'MatMul',
    name: 'Affine over [2,3,4] (no reshape)',
    floats: [normal(2, 3, 4), normal(4, 5), normal(5)],
    fn: ([x, W, b]) => tanh(new Affine(W, b).forward(x)),
  },
  {
    kind: 'Gather',
    name: 'along axis 1 by [2,2] indices, repeated and out of order',
    floats: [normal(2, 4, 3)],
    ints: [ids([2, 2], [3, 0, 3, 3])],
    fn: ([x], [i]) => gather(x, i, 1),
  },
  {
    kind: 'Gather',
    name: 'along the last axis (-1)',
    floats: [normal(3, 5)],
    ints: [ids([4], [4, 4, 0, 2])],
    fn: ([x], [i]) => gather(x, i, -1),
  },
  {
    kind: 'Gather',
    name: 'embedding rows for ids of shape [2,3]',
    floats: [normal(6, 3)],
    ints: [ids([2, 3], [5, 0, 5, 2, 2, 5])],
    fn: ([W], [i]) => embedding(W, i),
  },
  {
    kind: 'SegmentSum',
    name: 'rows of [5,3] summed into 4 by repeated indices',
    floats: [normal(5, 3)],
    ints: [ids([5], [3, 0, 3, 1, 3])],
    fn: ([v], [i]) => segmentSum(v, i, 4),
  },
  {
    kind: 'SegmentSum',
    name: 'along axis 1 of [2,4,3] into 5',
    floats: [normal(2, 4, 3)],
    ints: [ids([4], [4, 0, 4, 2])],
    fn: ([v], [i]) => segmentSum(v, i, 5, 1),
  },
  {
    kind: 'IndexAdd',
    name: 'rows of [4,3] plus [5,3] at repeated indices',
    floats: [normal(4, 3), normal(5, 3)],
    ints: [ids([5], [2, 0, 2, 3, 2])],
    fn: ([x, v], [i]) => indexAdd(x, 0, i, v),
  },
  {
    kind: 'IndexAdd',
    name: 'along axis 1 with values that broadcast, inside a sum',
    floats: [normal(2, 4), normal(3)],
    ints: [ids([3], [1, 1, 3])],
    fn: ([x, v], [i]) => add(indexAdd(x, 1, i, v), x),
  },
];
