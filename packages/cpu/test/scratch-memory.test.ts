import { describe, expect, it } from 'vitest';
import { gemmF32Wasm } from '../src/wasm/gemm-f32.ts';
import { SCRATCH_KEEP_BYTES, scratchBytes, simdKernels } from '../src/wasm/simd-kernels.ts';

// The SIMD kernels copy operands that are not in the wasm heap into a growable scratch memory. A
// wasm memory cannot shrink, so one large product must not leave its scratch behind for good.

describe.skipIf(simdKernels() === null)('the SIMD kernels’ scratch memory', () => {
  it('goes back under its bound after a 2048×2048 product through scratch', () => {
    const n = 2048;
    // ordinary Float32Arrays (not in the wasm heap): the product goes through the scratch memory
    const a = new Float32Array(n * n).fill(1);
    const b = new Float32Array(n * n).fill(0.5);
    const out = new Float32Array(n * n);
    const matrix = (data: Float32Array) => ({ data, offset: 0, rowStride: n, colStride: 1 });
    expect(gemmF32Wasm(out, matrix(a), matrix(b), n, n, n)).toBe(true);
    expect(out[0]).toBe(1024);
    expect(out[n * n - 1]).toBe(1024);
    expect(scratchBytes()).toBeLessThanOrEqual(SCRATCH_KEEP_BYTES);
    // and a small product after it still runs (on a fresh instance)
    const small = new Float32Array(4);
    const two = new Float32Array([1, 2, 3, 4]);
    const sq = { data: two, offset: 0, rowStride: 2, colStride: 1 };
    expect(gemmF32Wasm(small, sq, sq, 2, 2, 2)).toBe(true);
    expect(Array.from(small)).toEqual([7, 10, 15, 22]);
    expect(scratchBytes()).toBeLessThanOrEqual(SCRATCH_KEEP_BYTES);
  }, 120_000);
});
