import { copyOut } from './copy-out.ts';
import { heapHolding, placeInHeap, releasePlaced, type WasmHeap } from './heap.ts';
import { releaseScratch, simdKernels, simdMemory } from './simd-kernels.ts';
import { STATS_FLOATS } from './softmax-body.ts';

/** Floats of a chunk of rows copied through scratch memory (at least one row): stays in the L2 cache. */
const CHUNK_FLOATS = 32768;

/**
 * Softmax of `rows` rows of `cols` float32s of `x` from `offset` (contiguous) into `out`, in
 * WebAssembly SIMD (the exponential is Cephes' expf, as sigmoid's): in place when `out` lives in the
 * wasm heap, otherwise through the kernels' scratch memory a chunk of rows at a time. Returns false,
 * writing nothing, where WebAssembly SIMD is unavailable.
 */
export function softmaxF32Wasm(
  out: Float32Array,
  x: Float32Array,
  offset: number,
  rows: number,
  cols: number,
): boolean {
  const heap = heapHolding(out);
  const placed = heap === null ? null : placeInHeap(heap, x, offset, rows * cols);
  if (heap !== null && placed !== null) {
    heap.kernels.softmax(placed.at, out.byteOffset, rows, cols);
    releasePlaced(heap, placed);
    return true;
  }
  const k = simdKernels();
  if (k === null) return false;
  const chunk = Math.max(1, Math.floor(CHUNK_FLOATS / cols));
  const mem = simdMemory(k, chunk * cols * 4);
  for (let r = 0; r < rows; r += chunk) {
    const n = Math.min(chunk, rows - r) * cols;
    const from = offset + r * cols;
    mem.set(x.subarray(from, from + n), 0);
    k.softmax(0, 0, n / cols, cols);
    copyOut(out, r * cols, mem, 0, n);
  }
  releaseScratch(k);
  return true;
}

/**
 * Per-row cross entropy of softmax(logits) against target weights, both `rows` × `cols` float32s
 * (contiguous, from their offsets), into `out` (`rows` floats): logsumexp(x) - Σ w·x, as the
 * JavaScript kernel finishes it from the SIMD kernel's per-row statistics. Returns false, writing
 * nothing, where WebAssembly SIMD is unavailable.
 */
export function softmaxCrossEntropyF32Wasm(
  out: Float32Array,
  logits: Float32Array,
  logitsOffset: number,
  target: Float32Array,
  targetOffset: number,
  rows: number,
  cols: number,
): boolean {
  // in place where the logits live in the heap (large ones do); small ones go through scratch memory
  const heap = heapHolding(logits);
  if (heap !== null && statsInHeap(heap, out, logits, logitsOffset, target, targetOffset, rows, cols)) return true;
  const k = simdKernels();
  if (k === null) return false;
  const chunk = Math.max(1, Math.floor(CHUNK_FLOATS / cols));
  const mem = simdMemory(k, chunk * (2 * cols + STATS_FLOATS) * 4);
  const targetAt = chunk * cols;
  const statsAt = 2 * chunk * cols;
  for (let r = 0; r < rows; r += chunk) {
    const count = Math.min(chunk, rows - r);
    const n = count * cols;
    mem.set(logits.subarray(logitsOffset + r * cols, logitsOffset + r * cols + n), 0);
    mem.set(target.subarray(targetOffset + r * cols, targetOffset + r * cols + n), targetAt);
    k.softmaxStats(0, targetAt * 4, statsAt * 4, count, cols);
    finishRows(out, r, mem, statsAt, count);
  }
  releaseScratch(k);
  return true;
}

/** The statistics over operands in the heap (copied there when they are not), written to thread 0's scratch area. */
function statsInHeap(
  heap: WasmHeap,
  out: Float32Array,
  logits: Float32Array,
  logitsOffset: number,
  target: Float32Array,
  targetOffset: number,
  rows: number,
  cols: number,
): boolean {
  const pl = placeInHeap(heap, logits, logitsOffset, rows * cols);
  if (pl === null) return false;
  const pt = placeInHeap(heap, target, targetOffset, rows * cols);
  if (pt === null) {
    releasePlaced(heap, pl);
    return false;
  }
  // NOTE: the product's scratch area is free here (kernels run one at a time on this thread); a
  // chunk of rows' statistics at a time fits it.
  const scratch = heap.scratch(0);
  const mem = new Float32Array(heap.kernels.memory.buffer, scratch, STATS_CHUNK_ROWS * STATS_FLOATS);
  for (let r = 0; r < rows; r += STATS_CHUNK_ROWS) {
    const count = Math.min(STATS_CHUNK_ROWS, rows - r);
    heap.kernels.softmaxStats(pl.at + r * cols * 4, pt.at + r * cols * 4, scratch, count, cols);
    finishRows(out, r, mem, 0, count);
  }
  releasePlaced(heap, pl);
  releasePlaced(heap, pt);
  return true;
}

/** Rows whose statistics are computed in one call on the heap path. */
const STATS_CHUNK_ROWS = 16384;

/** out[r + i] from the statistics of row i at mem[at + i·STATS_FLOATS …]. */
function finishRows(out: Float32Array, r: number, mem: Float32Array, at: number, count: number): void {
  for (let i = 0, s = at; i < count; i++, s += STATS_FLOATS) {
    const [max, total, dot, wsum] = [mem[s], mem[s + 1], mem[s + 2], mem[s + 3]];
    // NOTE: log Σ e^(x-m) - Σ w·(x-m) + m·(1 - Σ w) rather than m + log Σ e^(x-m) - Σ w·x, which
    // cancels large logits (±1e4) against each other (as the JavaScript and WebGPU kernels do).
    out[r + i] = Math.log(total) - dot + (wsum === 1 ? 0 : max * (1 - wsum));
  }
}
