import { afterEach, describe, expect, it } from 'vitest';
import { gruCell, gruCellBackward, lstmCell, lstmCellBackward } from '../src/recurrent-cells.ts';
import { setSimdKernelsDisabled } from '../src/wasm/simd-kernels.ts';
import { setWasmHeapDisabled } from '../src/wasm/heap.ts';
import { ledger, readValues, stridedArray } from './strided-arrays.ts';
import type { CpuArray } from '../src/buffers.ts';

// The recurrent cells' float32 kernels in WebAssembly SIMD (four units at a time, the last vector of
// a row overlapping the one before, rows narrower than four one unit at a time) against the
// JavaScript loops, which compute in float64 and round once: within 1e-6 of 1 + |value| (each SIMD
// step rounds to float32; the activations' slopes come from the exponential, not from 1 - t², so
// saturated gates keep their digits), through scratch memory and in the wasm heap, with saturated
// and non-finite pre-activations.

afterEach(() => {
  setSimdKernelsDisabled(false);
  setWasmHeapDisabled(false);
});

const values = (n: number, seed: number, scale: number): number[] =>
  Array.from({ length: n }, (_, i) =>
    i % 97 === 5 ? Number.NaN : i % 89 === 7 ? Infinity : i % 83 === 3 ? -1e3 : Math.sin(seed + i * 0.73) * scale,
  );

type Kernel = (inputs: CpuArray[]) => CpuArray;

const KERNELS: [string, number[], Kernel][] = [
  ['lstmCell', [4, 1], ([a, c]) => lstmCell(ledger, a, c)],
  ['lstmCellBackward', [4, 1, 1, 1], ([a, c, dh, dc]) => lstmCellBackward(ledger, a, c, dh, dc)],
  ['gruCell', [3, 3, 1], ([x, y, h]) => gruCell(ledger, x, y, h)],
  ['gruCellBackward', [3, 3, 1, 1], ([x, y, h, d]) => gruCellBackward(ledger, x, y, h, d)],
];

function close(got: readonly number[], want: readonly number[]): string | null {
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i]) && Number.isNaN(got[i])) continue;
    if (!Number.isFinite(want[i])) {
      if (got[i] !== want[i]) return `element ${i}: got ${got[i]}, expected ${want[i]}`;
      continue;
    }
    if (!(Math.abs(got[i] - want[i]) <= 1e-6 * (1 + Math.abs(want[i]))))
      return `element ${i}: got ${got[i]}, expected ${want[i]}`;
  }
  return null;
}

describe('the recurrent cells in WebAssembly SIMD', () => {
  for (const [name, widths, kernel] of KERNELS) {
    for (const [n, h] of [
      [3, 1],
      [2, 3],
      [5, 4],
      [3, 7],
      [4, 33],
      [128, 128],
    ]) {
      it(`${name}, N ${n}, H ${h}, agrees with the float64 loops`, () => {
        const inputs = (): CpuArray[] =>
          widths.map((w, i) =>
            stridedArray([n, w * h], values(n * w * h, i + 1, i === 0 ? 3 : 1.5), 'float32', 'contiguous'),
          );
        const got = readValues(kernel(inputs()));
        setSimdKernelsDisabled(true);
        setWasmHeapDisabled(true);
        const want = readValues(kernel(inputs()));
        expect(got.length).toBe(want.length);
        expect(close(got, want)).toBeNull();
      });
    }
  }
});
