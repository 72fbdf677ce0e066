import gemm from 'ndarray-gemm';
import type { TypedArray } from '@graphgrad/core';
import type { BufferLedger, CpuArray } from './buffers.ts';
import { gemmF32Wasm } from './wasm/gemm-f32.ts';

/**
 * At or above this many multiply-adds (and with at least one register block of rows) a float32
 * product goes to the WebAssembly SIMD kernel; below it, packing panels costs more than the plain
 * loop spends. The spiral net's products (600–900) take 1.9–2.5 µs there against 2.5–4.0 µs in
 * the loop, except (30×2)ᵀ·30×10, whose 2 rows fill half a block (1.7 µs in the loop, 1.9 µs).
 */
const WASM_MIN_MACS = 512;
const WASM_MIN_ROWS = 4;
/** Below this many multiply-adds any dtype takes the plain loop; above, float64 takes ndarray-gemm. */
const LOOP_MAX_MACS = 64 * 64 * 64;

/**
 * op(a) · op(b): a transpose flag swaps the view's strides, never the data. float32 products of
 * some size run in WebAssembly SIMD, small ones in a plain loop, large float64 ones in ndarray-gemm.
 */
export function matmul(
  ledger: BufferLedger,
  a: CpuArray,
  b: CpuArray,
  transposeA: boolean,
  transposeB: boolean,
): CpuArray {
  const left = transposeA ? a.transpose(1, 0) : a;
  const right = transposeB ? b.transpose(1, 0) : b;
  const [m, k] = left.shape;
  const n = right.shape[1];
  const out = ledger.alloc([m, n], a.dtype);
  if (m === 0 || n === 0 || k === 0) return out;
  const macs = m * n * k;
  if (a.dtype === 'float32' && macs >= WASM_MIN_MACS && m >= WASM_MIN_ROWS) {
    const A = {
      data: left.data as Float32Array,
      offset: left.offset,
      rowStride: left.stride[0],
      colStride: left.stride[1],
    };
    const B = {
      data: right.data as Float32Array,
      offset: right.offset,
      rowStride: right.stride[0],
      colStride: right.stride[1],
    };
    if (gemmF32Wasm(out.data as Float32Array, A, B, m, n, k)) return out;
  }
  if (macs < LOOP_MAX_MACS || a.dtype === 'float32') {
    matmulLoop(out.data, left, right, m, n, k);
    return out;
  }
  gemm(out, left, right);
  return out;
}

/** The ndarray-gemm product, for any strides (the fast kernels' reference). */
export function matmulReference(
  ledger: BufferLedger,
  a: CpuArray,
  b: CpuArray,
  transposeA: boolean,
  transposeB: boolean,
): CpuArray {
  const left = transposeA ? a.transpose(1, 0) : a;
  const right = transposeB ? b.transpose(1, 0) : b;
  const out = ledger.alloc([left.shape[0], right.shape[1]], a.dtype);
  if (left.shape[1] > 0) gemm(out, left, right);
  return out;
}

/** out = a · b by dot products over the views' strides (the sums in float64). */
function matmulLoop(o: TypedArray, a: CpuArray, b: CpuArray, m: number, n: number, k: number): void {
  const x = a.data;
  const y = b.data;
  const [ar, ac] = a.stride;
  const [br, bc] = b.stride;
  for (let i = 0; i < m; i++) {
    const ai = a.offset + i * ar;
    for (let j = 0; j < n; j++) {
      let s = 0;
      let pa = ai;
      let pb = b.offset + j * bc;
      for (let p = 0; p < k; p++) {
        s += x[pa] * y[pb];
        pa += ac;
        pb += br;
      }
      o[i * n + j] = s;
    }
  }
}
