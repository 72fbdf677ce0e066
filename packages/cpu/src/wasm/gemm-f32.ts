import { copyOut } from './copy-out.ts';
import { GEMM_KC, GEMM_MC, GEMM_MR, GEMM_NC, GEMM_NR, GEMM_SCRATCH_BYTES } from './gemm-body.ts';
import { THREAD_MIN_MACS } from '../tiers.ts';
import { heapThreadPool } from './heap-threads.ts';
import { placeInHeap, releasePlaced, wasmHeap, type WasmHeap } from './heap.ts';
import { releaseScratch, simdKernels, simdMemory, type SimdKernels } from './simd-kernels.ts';

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

/**
 * out (m×n, row-major, from index `outAt`) = A (m×k) · B (k×n) in WebAssembly SIMD (the GotoBLAS
 * loops of gemm-body.ts), split over up to `threads` threads when the product is large. Where `out`
 * lives in the wasm heap, the product reads its operands in place (one from an ordinary buffer is
 * copied into the heap) and writes `out` directly; otherwise everything goes through the kernels'
 * scratch memory. Returns false, writing nothing, where WebAssembly SIMD is unavailable or the
 * operands would not fit in a 32-bit memory.
 */
export function gemmF32Wasm(
  out: Float32Array,
  a: StridedMatrix,
  b: StridedMatrix,
  m: number,
  n: number,
  k: number,
  outAt = 0,
  threads = 1,
): boolean {
  const heap = wasmHeap();
  const split = threads > 1 && m * n * k >= THREAD_MIN_MACS;
  // NOTE: the heap path as soon as one of the three lives there: copying a large operand into the
  // scratch memory costs more than a temporary block for a small one (an LSTM's recurrent product
  // h·Wh, [20, 100]·[100, 400], read Wh from the heap 105 times a step).
  const inHeap = heap !== null && (split || heap.holds(out) || heap.holds(a.data) || heap.holds(b.data));
  if (inHeap && gemmInHeap(heap, out, a, b, m, n, k, outAt, split ? threads : 1)) return true;
  return gemmInScratch(out, a, b, m, n, k, outAt);
}

/**
 * The product over the heap, in place (an operand or output from an ordinary buffer goes through a
 * temporary block); false, writing nothing, when such a block does not fit.
 */
function gemmInHeap(
  heap: WasmHeap,
  out: Float32Array,
  a: StridedMatrix,
  b: StridedMatrix,
  m: number,
  n: number,
  k: number,
  outAt: number,
  threads: number,
): boolean {
  const pa = placeInHeap(heap, a.data, a.offset, span(a, m, k));
  if (pa === null) return false;
  const pb = placeInHeap(heap, b.data, b.offset, span(b, k, n));
  const inPlace = heap.holds(out);
  const temporary = inPlace || pb === null ? null : heap.alloc(m * n, true);
  if (pb === null || (!inPlace && temporary === null)) {
    releasePlaced(heap, pa);
    if (pb !== null) releasePlaced(heap, pb);
    return false;
  }
  const whole = {
    a: pa.at,
    ars: a.rowStride * 4,
    acs: a.colStride * 4,
    b: pb.at,
    brs: b.rowStride * 4,
    bcs: b.colStride * 4,
    c: temporary === null ? out.byteOffset + outAt * 4 : temporary.byteOffset,
    ldc: n * 4,
    m,
    n,
    k,
  };
  try {
    const pool = threads > 1 ? heapThreadPool(heap, threads) : null;
    const parts = pool === null ? 1 : Math.min(threads, pool.ready + 1);
    if (parts === 1 || pool === null) heap.kernels.gemm(...gemmArgs(whole, heap.scratch(0)));
    else pool.run(bands(whole, parts).map((part, i) => ({ fn: 'gemm', args: gemmArgs(part, heap.scratch(i)) })));
    if (temporary !== null) copyOut(out, outAt, temporary, 0, m * n);
  } finally {
    if (temporary !== null) heap.free(temporary);
    releasePlaced(heap, pa);
    releasePlaced(heap, pb);
  }
  return true;
}

/** One thread's product: byte addresses and strides as the `gemm` kernel takes them. */
interface Part {
  readonly a: number;
  readonly ars: number;
  readonly acs: number;
  readonly b: number;
  readonly brs: number;
  readonly bcs: number;
  readonly c: number;
  readonly ldc: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

/** The `gemm` kernel's arguments for `p`, with its scratch area at `scratch` (packed A, packed B, the edge tile). */
function gemmArgs(p: Part, scratch: number): Parameters<SimdKernels['gemm']> {
  const ap = scratch;
  const bp = ap + GEMM_SCRATCH_BYTES_A;
  const tile = bp + GEMM_SCRATCH_BYTES_B;
  return [p.a, p.ars, p.acs, p.b, p.brs, p.bcs, p.c, p.ldc, p.m, p.n, p.k, ap, bp, tile];
}

/**
 * The product cut into `parts` bands of C's columns (when it is wider than tall) or rows, at
 * multiples of the register block: each element keeps its sums and their order, so the result is
 * the one a single thread gives, bit for bit.
 */
function bands(p: Part, parts: number): Part[] {
  const byColumns = p.n >= p.m;
  const length = byColumns ? p.n : p.m;
  const unit = byColumns ? GEMM_NR : GEMM_MR;
  const step = Math.ceil(length / parts / unit) * unit;
  const out: Part[] = [];
  for (let from = 0; from < length; from += step) {
    const size = Math.min(step, length - from);
    out.push(
      byColumns
        ? { ...p, b: p.b + from * p.bcs, c: p.c + from * 4, n: size }
        : { ...p, a: p.a + from * p.ars, c: p.c + from * p.ldc, m: size },
    );
  }
  return out;
}

// The scratch area of one thread: packed A (MC×KC), packed B (KC×NC), then the edge tile.
const GEMM_SCRATCH_BYTES_A = GEMM_MC * GEMM_KC * 4;
const GEMM_SCRATCH_BYTES_B = GEMM_KC * GEMM_NC * 4;

/**
 * The product through the scratch memory of the SIMD kernels' own instance: C, then the spans of A
 * and B copied as they are, then the packing area; C copied out.
 */
function gemmInScratch(
  out: Float32Array,
  a: StridedMatrix,
  b: StridedMatrix,
  m: number,
  n: number,
  k: number,
  outAt: number,
): boolean {
  const kern = simdKernels();
  if (kern === null) return false;
  const aSpan = span(a, m, k);
  const bSpan = span(b, k, n);
  // memory layout, in floats: C (m×n) | A as given | B as given | scratch
  const aAt = m * n;
  const bAt = aAt + aSpan;
  const scratchAt = bAt + bSpan;
  const bytes = scratchAt * 4 + GEMM_SCRATCH_BYTES;
  if (bytes > MAX_BYTES) return false;
  let mem: Float32Array;
  try {
    mem = simdMemory(kern, bytes);
  } catch {
    return false; // the memory could not grow: the caller's JavaScript loop takes over
  }
  mem.set(a.data.subarray(a.offset, a.offset + aSpan), aAt);
  mem.set(b.data.subarray(b.offset, b.offset + bSpan), bAt);
  const part = {
    a: aAt * 4,
    ars: a.rowStride * 4,
    acs: a.colStride * 4,
    b: bAt * 4,
    brs: b.rowStride * 4,
    bcs: b.colStride * 4,
    c: 0,
    ldc: n * 4,
    m,
    n,
    k,
  };
  kern.gemm(...gemmArgs(part, scratchAt * 4));
  if (m * n < SHORT_OUTPUT) {
    // NOTE: a short output is copied element by element: a subarray and a set() cost more than it.
    for (let i = 0; i < m * n; i++) out[outAt + i] = mem[i];
  } else copyOut(out, outAt, mem, 0, m * n);
  releaseScratch(kern);
  return true;
}

/** Outputs shorter than this are copied out of wasm memory element by element. */
const SHORT_OUTPUT = 64;

/** The most memory the kernels use: addresses are i32, so stay well below 2 GiB. */
const MAX_BYTES = 1 << 30;

/** Elements from a matrix's first element to its last, inclusive (strides are never negative here). */
function span(x: StridedMatrix, rows: number, cols: number): number {
  return (rows - 1) * x.rowStride + (cols - 1) * x.colStride + 1;
}
