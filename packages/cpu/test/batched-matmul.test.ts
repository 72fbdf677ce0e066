import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { broadcastShapes, sizeOf, type DType } from '@graphgrad/core';
import { makeView, type CpuArray } from '../src/buffers.ts';
import { matmul, matmulReference } from '../src/matmul.ts';
import { setSimdKernelsDisabled } from '../src/wasm/simd-kernels.ts';
import { layoutArb, ledger, readValues, stridedArray, type Layout } from './strided-arrays.ts';

// The batched product (one folded product for [B, T, H]·[H, V], else one product per batch element
// over views) against ndarray-gemm on each batch element's matrices, for batch shapes that
// broadcast, every layout of the operands (a transposed layout reverses every axis, batch axes
// included, so nothing folds), both transpose flags, and sizes on both sides of the SIMD threshold.

afterEach(() => setSimdKernelsDisabled(false));

interface Case {
  batchA: number[];
  batchB: number[];
  m: number;
  k: number;
  n: number;
  ta: boolean;
  tb: boolean;
  la: Layout;
  lb: Layout;
}

const batchPair = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom('both', 'a is 1', 'b is 1')), { maxLength: 3 })
  .chain((axes) => fc.tuple(fc.constant(axes), fc.integer({ min: 0, max: axes.length }), fc.boolean()))
  .map(([axes, drop, fromA]) => {
    const a = axes.map(([d, kind]) => (kind === 'a is 1' ? 1 : d));
    const b = axes.map(([d, kind]) => (kind === 'b is 1' ? 1 : d));
    return fromA ? [a.slice(drop), b] : [a, b.slice(drop)];
  });

const caseArb = (maxDim: number): fc.Arbitrary<Case> =>
  fc
    .tuple(
      batchPair,
      fc.integer({ min: 0, max: maxDim }),
      fc.integer({ min: 0, max: maxDim }),
      fc.integer({ min: 0, max: maxDim }),
      fc.boolean(),
      fc.boolean(),
      layoutArb,
      layoutArb,
    )
    .map(([[batchA, batchB], m, k, n, ta, tb, la, lb]) => ({ batchA, batchB, m, k, n, ta, tb, la, lb }));

/** The 2-D matrix of `x` at batch coordinates `c` of the output's batch (broadcast axes read at 0). */
function matrixAt(x: CpuArray, c: readonly number[]): CpuArray {
  const r = x.shape.length;
  const lead = c.length - (r - 2);
  let offset = x.offset;
  for (let d = 0; d < r - 2; d++) offset += (x.shape[d] === 1 ? 0 : c[lead + d]) * x.stride[d];
  return makeView(x.data, x.shape.slice(-2), x.stride.slice(-2), offset);
}

function check(c: Case, dtype: DType): void {
  const shapeA = [...c.batchA, ...(c.ta ? [c.k, c.m] : [c.m, c.k])];
  const shapeB = [...c.batchB, ...(c.tb ? [c.n, c.k] : [c.k, c.n])];
  const va = Array.from({ length: sizeOf(shapeA) }, (_, i) => Math.sin(i * 1.7) * 4);
  const vb = Array.from({ length: sizeOf(shapeB) }, (_, i) => Math.cos(i * 0.9) * 4);
  const a = stridedArray(shapeA, va, dtype, c.la);
  const b = stridedArray(shapeB, vb, dtype, c.lb);
  const got = matmul(ledger, a, b, c.ta, c.tb);
  const batch = broadcastShapes('MatMul', c.batchA, c.batchB);
  expect(got.shape).toEqual([...batch, c.m, c.n]);
  const g = readValues(got);
  const eps = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
  const size = c.m * c.n;
  for (let e = 0; e < sizeOf(batch); e++) {
    const coords = batch.map((_, d) => Math.floor(e / sizeOf(batch.slice(d + 1))) % batch[d]);
    const [ma, mb] = [matrixAt(a, coords), matrixAt(b, coords)];
    const want = readValues(matmulReference(ledger, ma, mb, c.ta, c.tb));
    const abs = (x: CpuArray): CpuArray => stridedArray(x.shape, readValues(x).map(Math.abs), 'float64', 'contiguous');
    const magnitude = readValues(matmulReference(ledger, abs(ma), abs(mb), c.ta, c.tb));
    for (let i = 0; i < size; i++) {
      const bound = (c.k + 2) * eps * magnitude[i];
      expect(Math.abs(g[e * size + i] - want[i]), `batch element ${e}, element ${i}`).toBeLessThanOrEqual(bound);
    }
  }
}

describe('batched MatMul', () => {
  for (const dtype of ['float32', 'float64'] as DType[]) {
    it(`${dtype}, small matrices (the plain loop, and the SIMD kernel from 512 multiply-adds): agrees per batch element`, () => {
      fc.assert(
        fc.property(caseArb(9), (c) => check(c, dtype)),
        { numRuns: 60 },
      );
    });
  }

  it('float32 without WebAssembly SIMD agrees per batch element', () => {
    setSimdKernelsDisabled(true);
    fc.assert(
      fc.property(caseArb(12), (c) => check(c, 'float32')),
      { numRuns: 20 },
    );
  });

  it('[B, T, H]·[H, V] folds into one product, with and without transpose of b, also over two batch axes', () => {
    for (const [batchA, tb] of [
      [[3], false],
      [[2, 3], true],
      [[4, 1], false],
    ] as const) {
      check(
        { batchA: [...batchA], batchB: [], m: 20, k: 16, n: 24, ta: false, tb, la: 'contiguous', lb: 'padded' },
        'float32',
      );
      check(
        { batchA: [...batchA], batchB: [1], m: 5, k: 7, n: 3, ta: false, tb, la: 'offset', lb: 'contiguous' },
        'float64',
      );
    }
  });
});
