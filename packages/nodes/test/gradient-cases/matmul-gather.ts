// The gradient cases of batched matrix products (random batch shapes that broadcast, every pair of
// transpose flags, 1-D operands), of gathers along random axes and of the scatter-add that is their
// backward (segmentSum, indexAdd), and of the book's Embedding.
import fc from 'fast-check';
import { arbitraries } from '@graphgrad/core/testing';
import { sizeOf, type Shape } from '@graphgrad/core';
import { embedding, gather, indexAdd, matmul, segmentSum } from '../../src/index.ts';
import { instance, int32, show, SMOOTH, type GradientCase } from './support.ts';

/**
 * Two batch shapes that broadcast against each other: up to two axes, each equal on both sides or 1
 * on one of them, and some leading axes dropped from one side.
 */
const batchPair: fc.Arbitrary<[number[], number[]]> = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.constantFrom('both', 'a is 1', 'b is 1')), { maxLength: 2 })
  .chain((axes) => fc.tuple(fc.constant(axes), fc.integer({ min: 0, max: axes.length }), fc.boolean()))
  .map(([axes, drop, fromA]) => {
    const a = axes.map(([d, kind]) => (kind === 'a is 1' ? 1 : d));
    const b = axes.map(([d, kind]) => (kind === 'b is 1' ? 1 : d));
    return fromA ? [a.slice(drop), b] : [a, b.slice(drop)];
  });

const dim = fc.integer({ min: 1, max: 3 });

function batchedMatmulCase(transposeA: boolean, transposeB: boolean): GradientCase {
  const name = `matmul batched transposeA=${transposeA} transposeB=${transposeB}`;
  return {
    name,
    node: 'MatMulNode',
    instance: fc
      .tuple(batchPair, dim, dim, dim)
      .chain(([[ba, bb], m, k, n]) =>
        fc.tuple(
          arbitraries.tensorOf([...ba, ...(transposeA ? [k, m] : [m, k])], SMOOTH),
          arbitraries.tensorOf([...bb, ...(transposeB ? [n, k] : [k, n])], SMOOTH),
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

/** numpy's vectors: a 1-D operand on either side (or both) of a product with a batch. */
const vectorMatmul: GradientCase = {
  name: 'matmul with 1-D operands',
  node: 'MatMulNode',
  instance: fc
    .tuple(fc.constantFrom('row', 'column', 'both'), fc.array(dim, { maxLength: 2 }), dim, dim)
    .chain(([which, batch, k, n]) =>
      fc.tuple(
        arbitraries.tensorOf(which === 'column' ? [...batch, n, k] : [k], SMOOTH),
        arbitraries.tensorOf(which === 'row' ? [...batch, k, n] : [k], SMOOTH),
      ),
    )
    .map(([a, b]) => instance(`matmul 1-D ${show(a.shape)} ${show(b.shape)}`, (x, y) => matmul(x, y), [a, b])),
};

/** Indices of `shape` into an axis of `length`: random, so repeated and out of order. */
function picks(shape: Shape, length: number): fc.Arbitrary<number[]> {
  const n = sizeOf(shape);
  return fc.array(fc.integer({ min: 0, max: length - 1 }), { minLength: n, maxLength: n });
}

const indexShape = arbitraries.shape({ maxRank: 2, maxDim: 3 });

const gatherAlongAxes: GradientCase = {
  name: 'gather along an axis',
  node: 'GatherNode',
  instance: arbitraries
    .shape({ minRank: 1, maxDim: 3 })
    .chain((s) =>
      fc.tuple(arbitraries.tensorOf(s, SMOOTH), fc.integer({ min: -s.length, max: s.length - 1 }), indexShape),
    )
    .chain(([x, axis, shape]) =>
      fc.tuple(fc.constant(x), fc.constant(axis), fc.constant(shape), picks(shape, x.shape[(axis + x.rank) % x.rank])),
    )
    .map(([x, axis, shape, values]) => {
      const indices = int32(values, shape);
      return instance(
        `gather ${show(x.shape)} axis=${axis} indices ${JSON.stringify(values)} ${show(shape)}`,
        (t) => gather(t, indices, axis),
        [x],
      );
    }),
};

const segmentSums: GradientCase = {
  name: 'segmentSum',
  node: 'SegmentSumNode',
  instance: fc
    .tuple(
      arbitraries.shape({ maxRank: 1, maxDim: 3 }),
      indexShape,
      arbitraries.shape({ maxRank: 1, maxDim: 3 }),
      fc.integer({ min: 1, max: 4 }),
    )
    .chain(([outer, shape, inner, size]) =>
      fc.tuple(
        arbitraries.tensorOf([...outer, ...shape, ...inner], SMOOTH),
        fc.constant(outer.length),
        fc.constant(shape),
        fc.constant(size),
        picks(shape, size),
      ),
    )
    .map(([values, axis, shape, size, ids]) => {
      const indices = int32(ids, shape);
      return instance(
        `segmentSum ${show(values.shape)} indices ${JSON.stringify(ids)} ${show(shape)} size=${size} axis=${axis}`,
        (v) => segmentSum(v, indices, size, axis),
        [values],
      );
    }),
};

const indexAdds: GradientCase = {
  name: 'indexAdd',
  node: 'IndexAddNode',
  instance: arbitraries
    .shape({ minRank: 1, maxDim: 3 })
    .chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), indexShape))
    .chain(([s, axis, shape]) =>
      fc.tuple(
        arbitraries.tensorOf(s, SMOOTH),
        arbitraries.tensorOf([...s.slice(0, axis), ...shape, ...s.slice(axis + 1)], SMOOTH),
        fc.constant(axis),
        fc.constant(shape),
        picks(shape, s[axis]),
      ),
    )
    .map(([x, values, axis, shape, ids]) => {
      const indices = int32(ids, shape);
      return instance(
        `indexAdd ${show(x.shape)} axis=${axis} indices ${JSON.stringify(ids)} ${show(shape)} values ${show(values.shape)}`,
        (t, v) => indexAdd(t, axis, indices, v),
        [x, values],
      );
    }),
};

const embeddings: GradientCase = {
  name: 'embedding',
  node: 'GatherNode',
  instance: fc
    .tuple(fc.integer({ min: 1, max: 5 }), dim, indexShape)
    .chain(([vocabulary, d, shape]) =>
      fc.tuple(arbitraries.tensorOf([vocabulary, d], SMOOTH), fc.constant(shape), picks(shape, vocabulary)),
    )
    .map(([W, shape, ids]) => {
      const indices = int32(ids, shape);
      return instance(
        `embedding ${show(W.shape)} ids ${JSON.stringify(ids)} ${show(shape)}`,
        (t) => embedding(t, indices),
        [W],
      );
    }),
};

/** The gradient cases of batched matmul, gather along any axis, segmentSum, indexAdd and embedding. */
export const MATMUL_GATHER_CASES: readonly GradientCase[] = [
  batchedMatmulCase(false, false),
  batchedMatmulCase(true, false),
  batchedMatmulCase(false, true),
  batchedMatmulCase(true, true),
  vectorMatmul,
  gatherAlongAxes,
  segmentSums,
  indexAdds,
  embeddings,
];
