import { describe, expect, it } from 'vitest';
import { simdKernels, simdMemory, SIGMOID_UNROLL } from '../src/wasm/simd-kernels.ts';
import { sigmoidF32Wasm } from '../src/wasm/sigmoid-f32.ts';

// The float32 SIMD sigmoid (Cephes' expf polynomial, exponent bits built by hand) against the
// float64 formula rounded to float32, over the whole float32 range that matters.

/** The float64 sigmoid of `v`, rounded to float32. */
function reference(v: number): number {
  const e = Math.exp(-Math.abs(v));
  return Math.fround(v >= 0 ? 1 / (1 + e) : e / (1 + e));
}

function ulpsApart(a: number, b: number): number {
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  return Math.abs(i[0] - i[1]);
}

/** Inputs: a dense sweep of [-100, 100], a sparse one of [-1e3, 1e3], and the edges. */
function inputs(): Float32Array {
  const values: number[] = [];
  for (let i = -200000; i <= 200000; i++) values.push(i / 2000);
  for (let i = -20000; i <= 20000; i++) values.push(i / 20);
  const smallestNormal = 2 ** -126;
  values.push(
    0,
    -0,
    1e-45,
    -1e-45,
    smallestNormal,
    -smallestNormal,
    1e-7,
    -1e-7,
    87.3,
    -87.3,
    87.34,
    -87.34,
    88.8,
    -88.8,
    103.9,
    -103.9,
  );
  values.push(3.4e38, -3.4e38, 1e3, -1e3, Infinity, -Infinity);
  return Float32Array.from(values);
}

describe('float32 SIMD sigmoid', () => {
  it('is within 4 ulp of the float64 formula where the result is a normal float32, and below 2^-126 where it is not', () => {
    const x = inputs();
    const out = new Float32Array(x.length);
    expect(sigmoidF32Wasm(out, x, 0, x.length)).toBe(true);
    let worstUlps = 0;
    let worstSubnormal = 0;
    for (let i = 0; i < x.length; i++) {
      const want = reference(x[i]);
      if (want >= 2 ** -126) worstUlps = Math.max(worstUlps, ulpsApart(out[i], want));
      else worstSubnormal = Math.max(worstSubnormal, Math.abs(out[i] - want));
    }
    // NOTE: measured 2 ulp; e^-|x| is within about 1 ulp and the division and the product with it
    // add one rounding each.
    expect(worstUlps).toBeLessThanOrEqual(4);
    expect(worstSubnormal).toBeLessThan(2 ** -126);
  });

  it('gives exactly 1 and 0 at ±1e3 and ±Infinity, 0.5 at ±0, and NaN for NaN', () => {
    const x = Float32Array.from([1e3, -1e3, Infinity, -Infinity, 0, -0, Number.NaN, 5]);
    const out = new Float32Array(x.length);
    sigmoidF32Wasm(out, x, 0, x.length);
    expect(Array.from(out.subarray(0, 6))).toEqual([1, 0, 1, 0, 0.5, 0.5]);
    expect(out[6]).toBeNaN();
  });

  it('reads from an offset and writes only its n outputs, across chunk boundaries', () => {
    const n = 40000;
    const x = Float32Array.from({ length: n + 7 }, (_, i) => Math.sin(i) * 10);
    const out = new Float32Array(n + 1).fill(-1);
    sigmoidF32Wasm(out, x, 7, n);
    for (const i of [0, 1, 16383, 16384, 32768, n - 1])
      expect(ulpsApart(out[i], reference(x[7 + i]))).toBeLessThanOrEqual(4);
    expect(out[n]).toBe(-1);
  });

  it('the kernel processes whole blocks of vectors in wasm memory, in place or into another span', () => {
    const k = simdKernels();
    expect(k).not.toBeNull();
    if (k === null) return;
    const mem = simdMemory(k, 65536);
    const lanes = 4 * SIGMOID_UNROLL;
    for (let i = 0; i < lanes; i++) mem[i] = i - lanes / 2;
    k.sigmoid(0, lanes * 4, 1);
    for (let i = 0; i < lanes; i++) expect(mem[i]).toBe(i - lanes / 2);
    for (let i = 0; i < lanes; i++) expect(ulpsApart(mem[lanes + i], reference(i - lanes / 2))).toBeLessThanOrEqual(4);
    k.sigmoid(0, 0, 1);
    for (let i = 0; i < lanes; i++) expect(mem[i]).toBe(mem[lanes + i]);
  });
});
