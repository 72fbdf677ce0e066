import { copyOut } from './copy-out.ts';
import { heapHolding, placeInHeap, releasePlaced } from './heap.ts';
import { releaseScratch, simdKernels, simdMemory, type SimdKernels } from './simd-kernels.ts';

/** One contiguous float32 operand: `length` elements of `data` from `offset`. */
interface Operand {
  readonly data: Float32Array;
  readonly offset: number;
  readonly length: number;
}

/** The name of a recurrent cell's kernel. */
type CellKernel = keyof SimdKernels['cells'];

/**
 * out = the cell kernel `name` (cells-body.ts) of `inputs`, for N = `n` rows of H = `h` units, in
 * WebAssembly SIMD: in place where `out` lives in the wasm heap (an input from an ordinary buffer is
 * copied in), otherwise through the kernels' scratch memory. Returns false, writing nothing, where
 * WebAssembly SIMD is unavailable or an input's copy does not fit.
 */
export function cellF32Wasm(
  name: CellKernel,
  out: Float32Array,
  inputs: readonly Operand[],
  n: number,
  h: number,
): boolean {
  const heap = heapHolding(out);
  if (heap !== null) {
    const placed = [];
    for (const x of inputs) {
      const p = placeInHeap(heap, x.data, x.offset, x.length);
      if (p === null) {
        for (const q of placed) releasePlaced(heap, q);
        return false;
      }
      placed.push(p);
    }
    call(heap.kernels, name, [...placed.map((p) => p.at), out.byteOffset], n, h);
    for (const p of placed) releasePlaced(heap, p);
    return true;
  }
  const k = simdKernels();
  if (k === null) return false;
  // layout in the scratch memory: each input, then the output
  const at: number[] = [];
  let next = 0;
  for (const x of inputs) {
    at.push(next);
    next += x.length;
  }
  const mem = simdMemory(k, (next + out.length) * 4);
  inputs.forEach((x, i) => mem.set(x.data.subarray(x.offset, x.offset + x.length), at[i]));
  call(k, name, [...at.map((a) => a * 4), next * 4], n, h);
  copyOut(out, 0, mem, next, out.length);
  releaseScratch(k);
  return true;
}

function call(k: SimdKernels, name: CellKernel, addresses: readonly number[], n: number, h: number): void {
  const kernel: (...args: number[]) => void = k.cells[name];
  kernel(...addresses, n, h);
}
