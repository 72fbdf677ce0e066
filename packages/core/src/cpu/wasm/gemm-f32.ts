import { GEMM_KU, GEMM_MR, GEMM_NR, simdKernels, simdMemory } from './simd-kernels.ts';

/**
 * A float32 matrix operand: element (i, j) is `data[offset + i·rowStride + j·colStride]`, so a
 * transposed view is the same buffer with its strides swapped.
 */
export interface StridedMatrix {
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
 * out (m×n, row-major, from index 0) = A (m×k) · B (k×n) in WebAssembly SIMD: packs panels of A
 * and B (reading any strides, so transposes cost no copy of their own) and runs the 4×8 register
 * -blocked kernel over them. Returns false, writing nothing, where WebAssembly SIMD is unavailable.
 */
export function gemmF32Wasm(out: Float32Array, a: StridedMatrix, b: StridedMatrix, m: number, n: number, k: number): boolean {
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
  // memory layout, in floats: C (mp×ldc) | packed B (kcMax×ncMax) | packed A (mcMax×kcMax)
  const cAt = 0;
  const bAt = mp * ldc;
  const aAt = bAt + kcMax * ncMax;
  const mem = simdMemory(kern, (aAt + mcMax * kcMax) * 4);
  mem.fill(0, cAt, cAt + mp * ldc);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const ncp = roundUp(nc, GEMM_NR);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      const kcp = roundUp(kc, GEMM_KU);
      packB(mem, bAt, b, pc, kc, kcp, jc, nc, ncp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        const panels = Math.ceil(mc / GEMM_MR);
        packA(mem, aAt, a, ic, mc, pc, kc, kcp, panels);
        kern.gemm(aAt * 4, bAt * 4, (cAt + ic * ldc + jc) * 4, kcp, panels, ncp / GEMM_NR, ldc * 4);
      }
    }
  }
  if (ldc === n) out.set(mem.subarray(cAt, cAt + m * n));
  else for (let i = 0; i < m; i++) out.set(mem.subarray(cAt + i * ldc, cAt + i * ldc + n), i * n);
  return true;
}

/** Packs B[pc:pc+kc, jc:jc+nc] as panels of kcp×NR floats, zero-padded past column nc and row kc. */
function packB(mem: Float32Array, at: number, b: StridedMatrix, pc: number, kc: number, kcp: number, jc: number, nc: number, ncp: number): void {
  const { data, rowStride, colStride } = b;
  for (let j0 = 0; j0 < ncp; j0 += GEMM_NR) {
    const panel = at + j0 * kcp;
    const width = Math.min(GEMM_NR, nc - j0);
    for (let p = 0; p < kc; p++) {
      const src = b.offset + (pc + p) * rowStride + (jc + j0) * colStride;
      const dst = panel + p * GEMM_NR;
      let j = 0;
      for (; j < width; j++) mem[dst + j] = data[src + j * colStride];
      for (; j < GEMM_NR; j++) mem[dst + j] = 0;
    }
    mem.fill(0, panel + kc * GEMM_NR, panel + kcp * GEMM_NR);
  }
}

/** Packs A[ic:ic+mc, pc:pc+kc] as panels of MR×kcp floats (each k: MR rows), zero-padded past row mc and column kc. */
function packA(mem: Float32Array, at: number, a: StridedMatrix, ic: number, mc: number, pc: number, kc: number, kcp: number, panels: number): void {
  const { data, rowStride, colStride } = a;
  for (let ip = 0; ip < panels; ip++) {
    const panel = at + ip * kcp * GEMM_MR;
    const i0 = ip * GEMM_MR;
    const height = Math.min(GEMM_MR, mc - i0);
    for (let r = 0; r < GEMM_MR; r++) {
      if (r >= height) {
        for (let p = 0; p < kc; p++) mem[panel + p * GEMM_MR + r] = 0;
        continue;
      }
      const src = a.offset + (ic + i0 + r) * rowStride + pc * colStride;
      for (let p = 0; p < kc; p++) mem[panel + p * GEMM_MR + r] = data[src + p * colStride];
    }
    mem.fill(0, panel + kc * GEMM_MR, panel + kcp * GEMM_MR);
  }
}
