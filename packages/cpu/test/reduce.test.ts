import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDUCE_KERNELS } from '@graphgrad/core';
import type { DType } from '@graphgrad/core';
import { reduce, reduceReference } from '../src/reduce.ts';
import { sizeOf } from '@graphgrad/core';
import { layoutArb, ledger, readValues, sameValues, shapeArb, stridedArray, valuesArb } from './strided-arrays.ts';

// The plain reduction loops against ndarray-ops' accumulation through stride-0 views. Max must
// agree exactly; Sum may differ by rounding (the loops add in float64, then round once, while
// ndarray-ops rounds each partial sum to the output's dtype), so it is compared relative to the
// sum of magnitudes, with exact agreement on NaN and infinities.

/** Sorted, distinct axes of a rank: any subset (adjacent runs take the fast loop, others not). */
const axesArb = (rank: number): fc.Arbitrary<number[]> => fc.subarray(Array.from({ length: rank }, (_, i) => i));

describe('reduction kernels', () => {
  for (const name of REDUCE_KERNELS) {
    for (const dtype of ['float32', 'float64', 'int32'] as DType[]) {
      it(`${name} ${dtype}: plain loops agree with ndarray-ops on any axes and layout`, () => {
        fc.assert(
          fc.property(
            shapeArb().chain((shape) =>
              fc.tuple(
                fc.constant(shape),
                valuesArb(sizeOf(shape), dtype),
                layoutArb,
                axesArb(shape.length),
                fc.boolean(),
              ),
            ),
            ([shape, values, layout, axes, keepDims]) => {
              const x = stridedArray(shape, values, dtype, layout);
              const got = reduce(ledger, name, x, axes, keepDims);
              const want = reduceReference(ledger, name, x, axes, keepDims);
              expect(got.shape).toEqual(want.shape);
              const g = readValues(got);
              const w = readValues(want);
              if (name === 'Max' || dtype === 'int32') {
                expect(sameValues(g, w)).toBeNull();
                return;
              }
              const magnitude = readValues(
                reduceReference(
                  ledger,
                  'Sum',
                  stridedArray(shape, values.map(Math.abs), dtype, 'contiguous'),
                  axes,
                  keepDims,
                ),
              );
              const eps = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
              // the reference's partial sums each round once: at most len·eps·Σ|x|; ours once at the end
              const len = axes.reduce((n, a) => n * shape[a], 1);
              for (let i = 0; i < w.length; i++) {
                if (!Number.isFinite(w[i]) || !Number.isFinite(g[i])) {
                  // an overflow to ±Inf in float32 partial sums is the reference's rounding, not a value
                  if (Number.isFinite(magnitude[i])) continue;
                  expect(Object.is(g[i], w[i]) || (Number.isNaN(g[i]) && Number.isNaN(w[i]))).toBe(true);
                  continue;
                }
                expect(Math.abs(g[i] - w[i])).toBeLessThanOrEqual((len + 1) * eps * magnitude[i] * 1.01);
              }
            },
          ),
          { numRuns: 40 },
        );
      });
    }
  }

  it('Sum and Max over an axis of length 0 give 0 and -Infinity (int32: its smallest value)', () => {
    const x = stridedArray([3, 0], [], 'float32', 'contiguous');
    expect(readValues(reduce(ledger, 'Sum', x, [1], false))).toEqual([0, 0, 0]);
    expect(readValues(reduce(ledger, 'Max', x, [1], false))).toEqual([-Infinity, -Infinity, -Infinity]);
    const i = stridedArray([2, 0], [], 'int32', 'contiguous');
    expect(readValues(reduce(ledger, 'Max', i, [1], true))).toEqual([-2147483648, -2147483648]);
  });
});
