import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { BINARY_KERNELS, UNARY_KERNELS } from '@graphgrad/core';
import type { DType } from '@graphgrad/core';
import { binary, binaryReference, unary, unaryReference } from '../src/elementwise.ts';
import { setWasmHeapDisabled } from '../src/wasm/heap.ts';
import { setSimdKernelsDisabled } from '../src/wasm/simd-kernels.ts';
import { sizeOf } from '@graphgrad/core';
import { layoutArb, ledger, readValues, sameValues, shapeArb, stridedArray, valuesArb } from './strided-arrays.ts';

// The plain loops (and the SIMD kernels for large float32 arrays) against ndarray-ops, which
// computes every element through the views' strides: both round each result once to the output's
// dtype, so they must agree exactly, NaN for NaN.

const FLOATS: DType[] = ['float32', 'float64'];

afterEach(() => {
  setSimdKernelsDisabled(false);
  setWasmHeapDisabled(false);
});

/** Float32 sigmoid of large arrays runs the SIMD approximation; see sigmoid-accuracy.test.ts. */
function ulpsApart(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  return Math.abs(i[0] - i[1]);
}

describe('unary kernels', () => {
  for (const name of UNARY_KERNELS) {
    const dtypes: DType[] = name === 'Neg' || name === 'Abs' ? [...FLOATS, 'int32'] : FLOATS;
    for (const dtype of dtypes) {
      it(`${name} ${dtype}: plain loops equal ndarray-ops on any layout`, () => {
        fc.assert(
          fc.property(
            shapeArb().chain((shape) => fc.tuple(fc.constant(shape), valuesArb(sizeOf(shape), dtype), layoutArb)),
            ([shape, values, layout]) => {
              const x = stridedArray(shape, values, dtype, layout);
              const got = readValues(unary(ledger, name, x));
              const want = readValues(unaryReference(ledger, name, x));
              if (name === 'Sigmoid' && dtype === 'float32') {
                // from 32 contiguous elements the SIMD kernel's approximation (sigmoid-accuracy.test.ts)
                let worst = 0;
                for (let i = 0; i < want.length; i++) worst = Math.max(worst, ulpsApart(got[i], want[i]));
                expect(worst).toBeLessThanOrEqual(4);
                return;
              }
              expect(sameValues(got, want)).toBeNull();
            },
          ),
          { numRuns: 40 },
        );
      });
    }
  }

  it('float32 sigmoid of 1024+ elements (the SIMD kernel) is within 4 ulp of the float64 formula, with or without SIMD', () => {
    for (const disabled of [false, true]) {
      setSimdKernelsDisabled(disabled);
      fc.assert(
        fc.property(fc.integer({ min: 1024, max: 3000 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
          const values = Array.from({ length: n }, (_, i) => Math.sin(seed + i * 12.9898) * 40);
          values[seed % n] = Number.NaN;
          const x = stridedArray([n], values, 'float32', 'offset');
          const got = readValues(unary(ledger, 'Sigmoid', x));
          const want = readValues(unaryReference(ledger, 'Sigmoid', x));
          let worst = 0;
          for (let i = 0; i < n; i++) worst = Math.max(worst, ulpsApart(got[i], want[i]));
          expect(worst).toBeLessThanOrEqual(disabled ? 0 : 4);
        }),
        { numRuns: 10 },
      );
    }
  });
});

/** Operand shapes broadcasting to `out`: some axes set to 1, some leading axes dropped. */
const broadcastPairArb = shapeArb().chain((out) => {
  const operand = fc
    .tuple(
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      fc.integer({ min: 0, max: out.length }),
    )
    .map(([ones, drop]) => out.map((d, i) => (ones[i] ? 1 : d)).slice(drop));
  const full = fc.constant([...out]);
  const shape = fc.oneof(
    { weight: 1, arbitrary: full },
    { weight: 3, arbitrary: operand },
    { weight: 1, arbitrary: fc.constant<number[]>([]) },
  );
  return fc.tuple(fc.constant(out), shape, shape);
});

describe('binary kernels', () => {
  for (const name of BINARY_KERNELS) {
    for (const dtype of [...FLOATS, 'int32'] as DType[]) {
      it(`${name} ${dtype}: plain loops equal ndarray-ops for any broadcast and layout`, () => {
        fc.assert(
          fc.property(
            broadcastPairArb.chain(([out, sa, sb]) =>
              fc.tuple(
                fc.constant(out),
                fc.constant(sa),
                fc.constant(sb),
                valuesArb(sizeOf(sa), dtype),
                valuesArb(sizeOf(sb), dtype),
                layoutArb,
                layoutArb,
              ),
            ),
            ([, sa, sb, va, vb, la, lb]) => {
              const a = stridedArray(sa, va, dtype, la);
              const b = stridedArray(sb, vb, dtype, lb);
              const got = binary(ledger, name, a, b);
              const want = binaryReference(ledger, name, a, b);
              expect(got.shape).toEqual(want.shape);
              expect(sameValues(readValues(got), readValues(want))).toBeNull();
            },
          ),
          { numRuns: 40 },
        );
      });
    }

    it(`${name} float32 on large arrays (the SIMD kernel, and the loop without it) equals ndarray-ops`, () => {
      for (const disabled of [false, true]) {
        setSimdKernelsDisabled(disabled);
        fc.assert(
          fc.property(
            fc.integer({ min: 4096, max: 9000 }),
            fc.constantFrom<[boolean, boolean]>([true, false], [false, true], [false, false]),
            (n, [shiftA, shiftB]) => {
              const va = Array.from({ length: n }, (_, i) => (i % 97 === 0 ? Number.NaN : Math.cos(i * 1.7) * 100));
              const vb = Array.from({ length: n }, (_, i) =>
                i % 89 === 0 ? 0 : i % 83 === 0 ? -Infinity : Math.sin(i * 0.3) * 5,
              );
              const a = stridedArray([n], va, 'float32', shiftA ? 'offset' : 'contiguous');
              const b = stridedArray([n], vb, 'float32', shiftB ? 'offset' : 'contiguous');
              const got = readValues(binary(ledger, name, a, b));
              const want = readValues(binaryReference(ledger, name, a, b));
              expect(sameValues(got, want)).toBeNull();
            },
          ),
          { numRuns: 6 },
        );
      }
    });
  }

  it('float32 outputs of 512 KiB and more (in place in the wasm heap, or without it copied out through the staging array) equal ndarray-ops', () => {
    for (const [n, heapOff] of [
      [131072, false],
      [300001, false],
      [131072, true],
      [300001, true],
    ] as const) {
      setWasmHeapDisabled(heapOff);
      const va = Array.from({ length: n }, (_, i) => (i % 1009 === 0 ? Number.NaN : Math.cos(i * 1.7) * 100));
      const vb = Array.from({ length: n }, (_, i) => Math.sin(i * 0.3) * 5 + 6);
      const a = stridedArray([n], va, 'float32', 'offset');
      const b = stridedArray([n], vb, 'float32', 'contiguous');
      for (const name of BINARY_KERNELS) {
        expect(
          sameValues(readValues(binary(ledger, name, a, b)), readValues(binaryReference(ledger, name, a, b))),
        ).toBeNull();
      }
      // within ±40, where the SIMD sigmoid flushes nothing to 0 (see sigmoid-accuracy.test.ts)
      const x = stridedArray(
        [n],
        va.map((v) => v * 0.4),
        'float32',
        'offset',
      );
      const got = readValues(unary(ledger, 'Sigmoid', x));
      const want = readValues(unaryReference(ledger, 'Sigmoid', x));
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, ulpsApart(got[i], want[i]));
      expect(worst).toBeLessThanOrEqual(4);
    }
  });
});
