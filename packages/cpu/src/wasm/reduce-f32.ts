import { GEMM_SCRATCH_BYTES } from './gemm-body.ts';
import { heapHolding } from './heap.ts';
import type { SimdReduceName } from './reduce-body.ts';

/**
 * out (outer × inner floats) = `op` of x[offset …] viewed as [outer, len, inner] along len, in
 * WebAssembly SIMD, with the JavaScript loop's results bit for bit (see reduce-body.ts). Only where
 * x lives in the wasm heap (copying it in would cost what the reduction does); the output is written
 * in place in the heap, or through the product's scratch area when it is an ordinary array. Returns
 * false, writing nothing, otherwise.
 */
export function reduceRowsF32Wasm(
  op: SimdReduceName,
  out: Float32Array,
  x: Float32Array,
  offset: number,
  outer: number,
  len: number,
  inner: number,
): boolean {
  const heap = heapHolding(x);
  if (heap === null) return false;
  const kernel = heap.kernels.reduceRows[op];
  const at = x.byteOffset + offset * 4;
  if (heap.holds(out)) {
    kernel(out.byteOffset, at, outer, len, inner);
    return true;
  }
  if (outer * inner * 4 > GEMM_SCRATCH_BYTES) return false;
  // NOTE: the product's scratch area is free here (kernels run one at a time on this thread).
  const scratch = heap.scratch(0);
  kernel(scratch, at, outer, len, inner);
  out.set(new Float32Array(heap.kernels.memory.buffer, scratch, outer * inner));
  return true;
}
