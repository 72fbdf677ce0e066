import { afterEach, describe, expect, it } from 'vitest';
import { BINARY_KERNELS } from '@graphgrad/core';
import { binary, binaryReference } from '../src/elementwise.ts';
import { setWasmHeapDisabled } from '../src/wasm/heap.ts';
import { setSimdKernelsDisabled } from '../src/wasm/simd-kernels.ts';
import { ledger, readValues, stridedArray } from './strided-arrays.ts';

// Large float32 elementwise operations with a broadcast operand (a bias row added to every row, a
// matrix times a column, a scalar on either side) or a view of rows some stride apart run row by row in WebAssembly SIMD when their
// output lives in the wasm heap: equal to ndarray-ops element for element (one float32 rounding
// either way), with rows whose length is not a multiple of the vector, NaN and infinities, operands
// from ordinary buffers and at an offset, and the same without SIMD or without the heap.

afterEach(() => {
  setSimdKernelsDisabled(false);
  setWasmHeapDisabled(false);
});

/** Object.is on every element, except that any NaN matches any NaN. */
function sameValues(got: readonly number[], want: readonly number[]): string | null {
  if (got.length !== want.length) return `${got.length} values, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(got[i]) && Number.isNaN(want[i])) continue;
    if (!Object.is(got[i], want[i])) return `element ${i}: got ${got[i]}, expected ${want[i]}`;
  }
  return null;
}

const values = (n: number, seed: number): number[] =>
  Array.from({ length: n }, (_, i) =>
    i % 211 === 7 ? Number.NaN : i % 199 === 3 ? -Infinity : Math.sin(seed + i * 0.77) * 9,
  );

// [rows, cols] of the output, and the broadcast operand's shape (the other is the full matrix)
const PATTERNS: readonly [string, number[], number[]][] = [
  ['a bias row', [129, 131], [131]],
  ['a column', [133, 127], [133, 1]],
  ['a scalar', [101, 163], []],
  ['a row of a rank-3 array', [3, 61, 97], [1, 97]],
];

describe('float32 broadcast elementwise operations in WebAssembly SIMD', () => {
  for (const setting of ['SIMD in the heap', 'without SIMD'] as const) {
    it(`rows some stride apart (a time step of a sequence), on either side, every operation (${setting}), equal ndarray-ops`, () => {
      setSimdKernelsDisabled(setting === 'without SIMD');
      const shape = [131, 129];
      const full = stridedArray(shape, values(131 * 129, 3), 'float32', 'contiguous');
      const rows = stridedArray(shape, values(131 * 129, 4), 'float32', 'padded');
      for (const name of BINARY_KERNELS) {
        for (const [a, b] of [
          [full, rows],
          [rows, full],
          [rows, rows],
        ]) {
          const got = readValues(binary(ledger, name, a, b));
          const want = readValues(binaryReference(ledger, name, a, b));
          expect(sameValues(got, want), `${name}`).toBeNull();
        }
      }
    });
  }

  for (const [pattern, shape, small] of PATTERNS) {
    for (const setting of ['SIMD in the heap', 'without SIMD', 'without the heap'] as const) {
      it(`${pattern} on either side, every operation (${setting}), equals ndarray-ops`, () => {
        setSimdKernelsDisabled(setting === 'without SIMD');
        setWasmHeapDisabled(setting === 'without the heap');
        const full = stridedArray(
          shape,
          values(
            shape.reduce((n, d) => n * d, 1),
            1,
          ),
          'float32',
          'contiguous',
        );
        const part = stridedArray(
          small,
          values(
            small.reduce((n, d) => n * d, 1),
            2,
          ),
          'float32',
          'offset',
        );
        for (const name of BINARY_KERNELS) {
          for (const [a, b] of [
            [full, part],
            [part, full],
          ]) {
            const got = readValues(binary(ledger, name, a, b));
            const want = readValues(binaryReference(ledger, name, a, b));
            expect(sameValues(got, want), `${name}`).toBeNull();
          }
        }
      });
    }
  }
});
