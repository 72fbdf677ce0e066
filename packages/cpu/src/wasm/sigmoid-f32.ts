import { heapHolding, placeInHeap, releasePlaced } from './heap.ts';
import { copyOut } from './copy-out.ts';
import { SIGMOID_UNROLL, simdKernels, simdMemory } from './simd-kernels.ts';

/**
 * float32 sigmoid of `n` elements of `x` from `offset` into `out`, in WebAssembly SIMD (the
 * exponential is Cephes' expf polynomial; see simd-kernels.ts): in place when `out` lives in the
 * wasm heap, otherwise through the kernels' scratch memory in chunks. Returns false, writing
 * nothing, where WebAssembly SIMD is unavailable.
 */
export function sigmoidF32Wasm(out: Float32Array, x: Float32Array, offset: number, n: number): boolean {
  const k = simdKernels();
  if (k === null) return false;
  const heap = heapHolding(out);
  const placed = heap === null ? null : placeInHeap(heap, x, offset, n);
  if (heap !== null && placed !== null) {
    // in place: out lives in the wasm heap (x too, or a copy of it)
    heap.kernels.sigmoid(placed.at, out.byteOffset, Math.ceil(n / (4 * SIGMOID_UNROLL)));
    releasePlaced(heap, placed);
    return true;
  }
  // NOTE: the whole array goes through wasm memory in chunks that stay in the L2 cache, so the copy
  // in, the kernel and the copy out each read memory the step before left warm.
  const chunk = 16384;
  const mem = simdMemory(k, chunk * 4);
  for (let start = 0; start < n; start += chunk) {
    const len = Math.min(chunk, n - start);
    mem.set(x.subarray(offset + start, offset + start + len), 0);
    k.sigmoid(0, 0, Math.ceil(len / (4 * SIGMOID_UNROLL)));
    copyOut(out, start, mem, 0, len);
  }
  return true;
}
