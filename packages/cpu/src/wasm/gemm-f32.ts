import { copyOut } from './copy-out.ts';
import { GEMM_KU, GEMM_MR, GEMM_NR, simdKernels, simdMemory } from './simd-kernels.ts';

/**
 * A float32 matrix operand: element (i, j) is `data[offset + i·rowStride + j·colStride]`, so a
 * transposed view is the same buffer with its strides swapped.
 */
interface StridedMatrix {
  readonly data: Float32Array;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

// NOTE: block sizes in the GotoBLAS arrangement: a KC×NR panel of B (8 KiB at KC=256) stays in the
// L1 cache while the micro-kernel walks the MC×KC block of A (128 KiB) held in L2; a KC×NC block of
// B is packed once and reused by every block of A. On the 2-core test machine other values tried
// (KC 128–1024, MC 64–256, NC 256–4096) measured within the run-to-run noise.
const KC = 256;
const MC = 128;
const NC = 4096;

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

/**
 * out (m×n, row-major, from index `outAt`) = A (m×k) · B (k×n) in WebAssembly SIMD: copies the spans of
 * A and B into the module's memory as they are, packs panels of them there (reading any strides,
 * so transposes cost no copy of their own) and runs the 4×8 register-blocked kernel over them.
 * Returns false, writing nothing, where WebAssembly SIMD is unavailable or the operands would not
 * fit in a 32-bit memory.
 */
export function gemmF32Wasm(
  out: Float32Array,
  a: StridedMatrix,
  b: StridedMatrix,
  m: number,
  n: number,
  k: number,
  outAt = 0,
): boolean {
  const kern = simdKernels();
  if (kern === null) return false;
  const mp = roundUp(m, GEMM_MR);
  const np = roundUp(n, GEMM_NR);
  // NOTE: C's rows are padded when their length is a multiple of 1 KiB, so that the MR rows of a
  // register block do not all map to the same cache sets.
  const ldc = np % 256 === 0 ? np + GEMM_NR : np;
  const kcMax = roundUp(Math.min(KC, k), GEMM_KU);
  const mcMax = Math.min(MC, mp);
  const ncMax = Math.min(NC, np);
  const aSpan = span(a, m, k);
  const bSpan = span(b, k, n);
  // memory layout, in floats: C (mp×ldc) | A as given | B as given | packed B (kcMax×ncMax) | packed A (mcMax×kcMax)
  const cAt = 0;
  const aAt = mp * ldc;
  const bAt = aAt + aSpan;
  const bpAt = bAt + bSpan;
  const apAt = bpAt + kcMax * ncMax;
  const bytes = (apAt + mcMax * kcMax) * 4;
  if (bytes > MAX_BYTES) return false;
  let mem: Float32Array;
  try {
    mem = simdMemory(kern, bytes);
  } catch {
    return false; // the memory could not grow: the caller's JavaScript loop takes over
  }
  mem.fill(0, cAt, cAt + mp * ldc);
  mem.set(a.data.subarray(a.offset, a.offset + aSpan), aAt);
  mem.set(b.data.subarray(b.offset, b.offset + bSpan), bAt);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const nPanels = Math.ceil(nc / GEMM_NR);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      const kcp = roundUp(kc, GEMM_KU);
      const bFrom = bAt + pc * b.rowStride + jc * b.colStride;
      kern.pack(
        bpAt * 4,
        bFrom * 4,
        nPanels,
        kc,
        kcp,
        GEMM_NR,
        nc - (nPanels - 1) * GEMM_NR,
        b.colStride * 4,
        b.rowStride * 4,
      );
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        const mPanels = Math.ceil(mc / GEMM_MR);
        const aFrom = aAt + ic * a.rowStride + pc * a.colStride;
        kern.pack(
          apAt * 4,
          aFrom * 4,
          mPanels,
          kc,
          kcp,
          GEMM_MR,
          mc - (mPanels - 1) * GEMM_MR,
          a.rowStride * 4,
          a.colStride * 4,
        );
        kern.gemm(apAt * 4, bpAt * 4, (cAt + ic * ldc + jc) * 4, kcp, mPanels, nPanels, ldc * 4);
      }
    }
  }
  if (ldc === n) copyOut(out, outAt, mem, cAt, m * n);
  else if (n < SHORT_ROW) {
    // NOTE: short padded rows are copied element by element: a subarray and a set() per row cost
    // more than the row (30 rows of 3 floats: 3 µs against 0.1 µs).
    for (let i = 0; i < m; i++) {
      for (let j = 0, from = cAt + i * ldc, to = outAt + i * n; j < n; j++) out[to + j] = mem[from + j];
    }
  } else for (let i = 0; i < m; i++) copyOut(out, outAt + i * n, mem, cAt + i * ldc, n);
  return true;
}

/** Rows shorter than this are copied out of wasm memory element by element. */
const SHORT_ROW = 64;

/** The most memory the kernels use: addresses are i32, so stay well below 2 GiB. */
const MAX_BYTES = 1 << 30;

/** Elements from a matrix's first element to its last, inclusive (strides are never negative here). */
function span(x: StridedMatrix, rows: number, cols: number): number {
  return (rows - 1) * x.rowStride + (cols - 1) * x.colStride + 1;
}
