import { afterEach, describe, expect, it } from 'vitest';
import { REDUCE_KERNELS } from '@graphgrad/core';
import { reduce } from '../src/reduce.ts';
import { setWasmHeapDisabled } from '../src/wasm/heap.ts';
import { ledger, readValues, stridedArray } from './strided-arrays.ts';

// Reductions of large float32 arrays along leading axes (a bias's gradient, [N, C] summed over N)
// run in WebAssembly SIMD when the input lives in the wasm heap, combining rows in the JavaScript
// loop's order with its float32 rounding: the same values bit for bit, with -0, NaN and infinities,
// rows whose length is not a multiple of the vector, outputs in the heap or in ordinary buffers.

afterEach(() => setWasmHeapDisabled(false));

const values = (n: number): number[] =>
  Array.from({ length: n }, (_, i) =>
    i % 257 === 1 ? Number.NaN : i % 251 === 2 ? -0 : i % 241 === 3 ? Infinity : Math.sin(i * 0.91) * 1e3,
  );

// [shape, axes]: the output small (an ordinary buffer) or large (in the heap)
const CASES: readonly [number[], number[]][] = [
  [[700, 103], [0]],
  [[3, 90, 61], [1]],
  [
    [17, 12, 250],
    [0, 1],
  ],
  [[40, 1030], [0]],
  [[2, 20, 8195], [1]],
];

describe('float32 reductions along leading axes in WebAssembly SIMD', () => {
  for (const [shape, axes] of CASES) {
    it(`${JSON.stringify(shape)} along ${JSON.stringify(axes)} equals the JavaScript loop bit for bit`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const v = values(n);
      for (const name of REDUCE_KERNELS) {
        setWasmHeapDisabled(false);
        const got = readValues(reduce(ledger, name, stridedArray(shape, v, 'float32', 'contiguous'), axes, false));
        setWasmHeapDisabled(true);
        const want = readValues(reduce(ledger, name, stridedArray(shape, v, 'float32', 'contiguous'), axes, false));
        expect(got.length).toBe(want.length);
        const differ = got.findIndex((g, i) => !Object.is(g, want[i]));
        expect(differ, `${name} at ${differ}: ${got[differ]} vs ${want[differ]}`).toBe(-1);
      }
    });
  }
});
