import { heapHolding, placeInHeap, releasePlaced, type WasmHeap } from './heap.ts';
import { copyOut } from './copy-out.ts';
import {
  BINARY_UNROLL,
  ROWS_A_SCALAR,
  ROWS_B_SCALAR,
  ROWS_BOTH,
  simdKernels,
  simdMemory,
  type SimdBinaryName,
} from './simd-kernels.ts';

const CHUNK = 8192;

/**
 * out[i] = a[aOffset + i] op b[bOffset + i] for i < n, float32, in WebAssembly SIMD: in place when
 * `out` lives in the wasm heap (an operand that does not is copied in), otherwise through the
 * kernels' scratch memory in chunks. Returns false, writing nothing, where WebAssembly SIMD is
 * unavailable.
 */
export function binaryF32Wasm(
  op: SimdBinaryName,
  out: Float32Array,
  a: Float32Array,
  aOffset: number,
  b: Float32Array,
  bOffset: number,
  n: number,
): boolean {
  const k = simdKernels();
  if (k === null) return false;
  const heap = heapHolding(out);
  if (heap !== null && binaryInHeap(heap, op, out, a, aOffset, b, bOffset, n)) return true;
  const kernel = k.binary[op];
  // NOTE: chunks of 32 KiB per operand keep the copies in, the kernel and the copy out in cache.
  const mem = simdMemory(k, CHUNK * 8);
  for (let start = 0; start < n; start += CHUNK) {
    const len = Math.min(CHUNK, n - start);
    mem.set(a.subarray(aOffset + start, aOffset + start + len), 0);
    mem.set(b.subarray(bOffset + start, bOffset + start + len), CHUNK);
    // the last chunk's lanes past len compute on stale floats, which are never copied out
    kernel(0, 0, CHUNK * 4, Math.ceil(len / (4 * BINARY_UNROLL)));
    copyOut(out, start, mem, 0, len);
  }
  return true;
}

/** The in-place path of {@link binaryF32Wasm}; false, writing nothing, when an operand's copy does not fit. */
function binaryInHeap(
  heap: WasmHeap,
  op: SimdBinaryName,
  out: Float32Array,
  a: Float32Array,
  aOffset: number,
  b: Float32Array,
  bOffset: number,
  n: number,
): boolean {
  const pa = placeInHeap(heap, a, aOffset, n);
  if (pa === null) return false;
  const pb = placeInHeap(heap, b, bOffset, n);
  if (pb === null) {
    releasePlaced(heap, pa);
    return false;
  }
  heap.kernels.binary[op](out.byteOffset, pa.at, pb.at, Math.ceil(n / (4 * BINARY_UNROLL)));
  releasePlaced(heap, pa);
  releasePlaced(heap, pb);
  return true;
}

/** An operand read row by row: element (r, c) is data[offset + r·rowStride + c·colStride], colStride 0 or 1. */
interface RowOperand {
  readonly data: Float32Array;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/**
 * out (rows × cols, contiguous, in the wasm heap) = a op b with broadcast operands (a repeated row,
 * a column, a scalar: see `binaryRowsBody`), in WebAssembly SIMD. Returns false, writing nothing,
 * where `out` is not in the heap, both operands are one float per row, or an operand's copy into the
 * heap does not fit.
 */
export function binaryRowsF32Wasm(
  op: SimdBinaryName,
  out: Float32Array,
  rows: number,
  cols: number,
  a: RowOperand,
  b: RowOperand,
): boolean {
  const heap = heapHolding(out);
  if (heap === null || (a.colStride === 0 && b.colStride === 0)) return false;
  const pa = placeInHeap(heap, a.data, a.offset, span(a, rows, cols));
  if (pa === null) return false;
  const pb = placeInHeap(heap, b.data, b.offset, span(b, rows, cols));
  if (pb === null) {
    releasePlaced(heap, pa);
    return false;
  }
  const mode = a.colStride === 0 ? ROWS_A_SCALAR : b.colStride === 0 ? ROWS_B_SCALAR : ROWS_BOTH;
  heap.kernels.binaryRows[op](out.byteOffset, pa.at, pb.at, rows, cols, a.rowStride * 4, b.rowStride * 4, mode);
  releasePlaced(heap, pa);
  releasePlaced(heap, pb);
  return true;
}

/** Elements from an operand's first element read to its last. */
function span(x: RowOperand, rows: number, cols: number): number {
  return (rows - 1) * x.rowStride + (cols - 1) * x.colStride + 1;
}
