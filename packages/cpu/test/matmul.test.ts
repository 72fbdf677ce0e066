import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { DType } from '@graphgrad/core';
import { matmul, matmulReference } from '../src/matmul.ts';
import { setWasmHeapDisabled } from '../src/wasm/heap.ts';
import { setSimdKernelsDisabled } from '../src/wasm/simd-kernels.ts';
import { layoutArb, ledger, readValues, stridedArray, type Layout } from './strided-arrays.ts';

// The plain loop (small products), the WebAssembly SIMD kernel (float32 from 512 multiply-adds)
// and ndarray-gemm (large float64) against ndarray-gemm on views of any layout, with and without
// the transpose flags. Sums are compared relative to Σ|a·b|: the SIMD kernel adds in float32,
// the loop and the reference in float64.

afterEach(() => {
  setSimdKernelsDisabled(false);
  setWasmHeapDisabled(false);
});

const value = fc.oneof(
  { weight: 40, arbitrary: fc.double({ min: -8, max: 8, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
);

interface Case {
  m: number;
  k: number;
  n: number;
  ta: boolean;
  tb: boolean;
  la: Layout;
  lb: Layout;
  va: number[];
  vb: number[];
}

const caseArb = (maxDim: number): fc.Arbitrary<Case> =>
  fc
    .record({
      m: fc.integer({ min: 0, max: maxDim }),
      k: fc.integer({ min: 0, max: maxDim }),
      n: fc.integer({ min: 0, max: maxDim }),
      ta: fc.boolean(),
      tb: fc.boolean(),
      la: layoutArb,
      lb: layoutArb,
    })
    .chain(
      (c) =>
        fc.record({
          ...Object.fromEntries(Object.entries(c).map(([key, v]) => [key, fc.constant(v)])),
          va: fc.array(value, { minLength: c.m * c.k, maxLength: c.m * c.k }),
          vb: fc.array(value, { minLength: c.k * c.n, maxLength: c.k * c.n }),
        }) as fc.Arbitrary<Case>,
    );

function check(c: Case, dtype: DType): void {
  const a = stridedArray(c.ta ? [c.k, c.m] : [c.m, c.k], c.va, dtype, c.la);
  const b = stridedArray(c.tb ? [c.n, c.k] : [c.k, c.n], c.vb, dtype, c.lb);
  const got = matmul(ledger, a, b, c.ta, c.tb);
  const want = matmulReference(ledger, a, b, c.ta, c.tb);
  expect(got.shape).toEqual([c.m, c.n]);
  const g = readValues(got);
  const w = readValues(want);
  const abs = (x: typeof a): typeof a => stridedArray(x.shape, readValues(x).map(Math.abs), 'float64', 'contiguous');
  const magnitude = readValues(matmulReference(ledger, abs(a), abs(b), c.ta, c.tb));
  const eps = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
  // Higham's bound with underflow: each of the k products and sums may also lose up to the smallest
  // subnormal (a product of two tiny values rounds to 0 or to 2^-149 in float32).
  const tiny = dtype === 'float32' ? 2 ** -149 : 2 ** -1074;
  let mismatch: string | null = null;
  for (let i = 0; i < w.length && mismatch === null; i++) {
    if (!Number.isFinite(w[i]) || !Number.isFinite(g[i])) {
      if (!(Object.is(g[i], w[i]) || (Number.isNaN(g[i]) && Number.isNaN(w[i]))))
        mismatch = `element ${i}: ${g[i]}, expected ${w[i]}`;
    } else if (Math.abs(g[i] - w[i]) > (c.k + 2) * (eps * magnitude[i] + tiny)) {
      mismatch = `element ${i}: ${g[i]}, expected ${w[i]} (Σ|a·b| = ${magnitude[i]})`;
    }
  }
  expect(mismatch).toBeNull();
}

describe('MatMul', () => {
  for (const dtype of ['float32', 'float64'] as DType[]) {
    it(`${dtype}, small shapes (0 to 9: the plain loop, and the SIMD kernel from 512 multiply-adds): agrees with ndarray-gemm`, () => {
      fc.assert(
        fc.property(caseArb(9), (c) => check(c, dtype)),
        { numRuns: 50 },
      );
    });
    it(`${dtype}, shapes up to 70 (the SIMD kernel's edges and blocks): agrees with ndarray-gemm`, () => {
      fc.assert(
        fc.property(caseArb(70), (c) => check(c, dtype)),
        { numRuns: 25 },
      );
    });
  }

  it('float32 without WebAssembly SIMD (the plain loop at every size) agrees with ndarray-gemm', () => {
    setSimdKernelsDisabled(true);
    fc.assert(
      fc.property(caseArb(40), (c) => check(c, 'float32')),
      { numRuns: 15 },
    );
  });

  it("float32, the spiral net's products (the SIMD kernel, short padded rows copied out one by one) agree with ndarray-gemm", () => {
    for (const [m, k, n, ta, tb] of [
      [30, 2, 10, false, false],
      [30, 10, 3, false, false],
      [10, 30, 3, true, false],
      [30, 3, 10, false, true],
      [2, 30, 10, true, false],
    ] as const) {
      const va = Array.from({ length: m * k }, (_, i) => Math.sin(i * 1.3));
      const vb = Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.7));
      check({ m, k, n, ta, tb, la: 'offset', lb: 'contiguous', va, vb }, 'float32');
    }
  });

  it('float32 across several KC and MC blocks (k > 256, m > 128) agrees with ndarray-gemm', () => {
    const [m, k, n] = [131, 300, 19];
    const va = Array.from({ length: m * k }, (_, i) => Math.sin(i));
    const vb = Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.7));
    for (const [ta, tb] of [
      [false, false],
      [true, true],
    ] as const) {
      check({ m, k, n, ta, tb, la: 'contiguous', lb: 'padded', va, vb }, 'float32');
    }
  });

  it('float32 products of 512 KiB and more (into the wasm heap, or without it through the staging array; padded rows too) agree with ndarray-gemm', () => {
    // 300×512: rows of a multiple of 1 KiB are padded in wasm memory and copied out one by one
    for (const [m, k, n, heapOff] of [
      [300, 7, 512, false],
      [381, 5, 400, false],
      [300, 7, 512, true],
      [381, 5, 400, true],
    ] as const) {
      setWasmHeapDisabled(heapOff);
      const va = Array.from({ length: m * k }, (_, i) => Math.sin(i));
      const vb = Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.7));
      check({ m, k, n, ta: false, tb: false, la: 'contiguous', lb: 'contiguous', va, vb }, 'float32');
    }
  });
});
