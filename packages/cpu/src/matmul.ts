import gemm from 'ndarray-gemm';
import { broadcastShapes, sizeOf, type Shape, type TypedArray } from '@graphgrad/core';
import { makeView, type BufferLedger, type CpuArray } from './buffers.ts';
import { gemmF32Wasm } from './wasm/gemm-f32.ts';
import { LOOP_MAX_MACS, WASM_MIN_MACS, WASM_MIN_ROWS } from './tiers.ts';

/**
 * op(a) · op(b) over the last two axes, the axes before them batch axes broadcast numpy's way: a
 * transpose flag swaps the view's strides, never the data. float32 products of some size run in
 * WebAssembly SIMD, small ones in a plain loop, large float64 ones in ndarray-gemm. A batch is one
 * product when its axes fold into the rows of `a` (`[B, T, H] · [H, V]` is `[B·T, H] · [H, V]`),
 * otherwise one product per batch element over views of the operands (no copies).
 */
export function matmul(
  ledger: BufferLedger,
  a: CpuArray,
  b: CpuArray,
  transposeA: boolean,
  transposeB: boolean,
  threads = 1,
): CpuArray {
  if (a.shape.length !== 2 || b.shape.length !== 2) return batchedMatmul(ledger, a, b, transposeA, transposeB, threads);
  const left = transposeA ? a.transpose(1, 0) : a;
  const right = transposeB ? b.transpose(1, 0) : b;
  const [m, k] = left.shape;
  const n = right.shape[1];
  const out = ledger.alloc([m, n], a.dtype, writesEvery(a.dtype, k));
  product(out.data, 0, left, right, m, n, k, threads);
  return out;
}

/**
 * Whether `product` writes every element of its output (so the output need not be zeroed first):
 * the float32 kernels do when k > 0; ndarray-gemm is not relied on to.
 */
const writesEvery = (dtype: CpuArray['dtype'], k: number): boolean => dtype === 'float32' && k > 0;

/**
 * o[at …] (m×n, row-major) = left · right for 2-D views, on up to `threads` threads; `o` holds
 * zeros there when k is 0.
 */
function product(
  o: TypedArray,
  at: number,
  left: CpuArray,
  right: CpuArray,
  m: number,
  n: number,
  k: number,
  threads: number,
): void {
  if (m === 0 || n === 0 || k === 0) return;
  const macs = m * n * k;
  if (left.dtype === 'float32' && macs >= WASM_MIN_MACS && m >= WASM_MIN_ROWS) {
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
    if (gemmF32Wasm(o as Float32Array, A, B, m, n, k, at, threads)) return;
  }
  if (macs < LOOP_MAX_MACS || left.dtype === 'float32') {
    matmulLoop(o, at, left, right, m, n, k);
    return;
  }
  gemm(makeView(o, [m, n], [n, 1], at), left, right);
}

/** Where op(x) of each batch element starts in `x`'s buffer, and its strides along rows and columns. */
interface Operand {
  readonly rows: number;
  readonly cols: number;
  readonly rowStride: number;
  readonly colStride: number;
  /** Strides of the batch axes, aligned with the output's batch axes (0 where `x` is broadcast). */
  readonly batchStrides: number[];
}

function operand(x: CpuArray, transposed: boolean, batch: Shape): Operand {
  const r = x.shape.length;
  const lead = batch.length - (r - 2);
  const batchStrides = batch.map((_, d) => (d < lead || x.shape[d - lead] === 1 ? 0 : x.stride[d - lead]));
  const [rowAxis, colAxis] = transposed ? [r - 1, r - 2] : [r - 2, r - 1];
  return {
    rows: x.shape[rowAxis],
    cols: x.shape[colAxis],
    rowStride: x.stride[rowAxis],
    colStride: x.stride[colAxis],
    batchStrides,
  };
}

function batchedMatmul(
  ledger: BufferLedger,
  a: CpuArray,
  b: CpuArray,
  transposeA: boolean,
  transposeB: boolean,
  threads: number,
): CpuArray {
  const batch = broadcastShapes('MatMul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const A = operand(a, transposeA, batch);
  const B = operand(b, transposeB, batch);
  const [m, k, n] = [A.rows, A.cols, B.cols];
  const out = ledger.alloc([...batch, m, n], a.dtype, writesEvery(a.dtype, k));
  const count = sizeOf(batch);
  if (count === 0 || m === 0 || n === 0 || k === 0) return out;
  const folded = foldedRowStride(A, batch, m);
  if (folded !== null && B.batchStrides.every((s) => s === 0)) {
    // one product: the batch axes of `a` continue its rows, and `b` is the same for every batch element
    const left = makeView(a.data, [count * m, k], [folded, A.colStride], a.offset);
    const right = makeView(b.data, [k, n], [B.rowStride, B.colStride], b.offset);
    product(out.data, 0, left, right, count * m, n, k, threads);
    return out;
  }
  const index = new Array<number>(batch.length).fill(0);
  let aAt = a.offset;
  let bAt = b.offset;
  for (let i = 0; i < count; i++) {
    const left = makeView(a.data, [m, k], [A.rowStride, A.colStride], aAt);
    const right = makeView(b.data, [k, n], [B.rowStride, B.colStride], bAt);
    product(out.data, i * m * n, left, right, m, n, k, threads);
    // the next batch element: an odometer over the batch axes, moving both operands' offsets
    for (let d = batch.length - 1; d >= 0; d--) {
      aAt += A.batchStrides[d];
      bAt += B.batchStrides[d];
      if (++index[d] < batch[d]) break;
      aAt -= A.batchStrides[d] * batch[d];
      bAt -= B.batchStrides[d] * batch[d];
      index[d] = 0;
    }
  }
  return out;
}

/**
 * The row stride under which op(a)'s batch axes and rows read as one run of rows (each batch axis
 * steps over exactly the axes after it), or null when they do not: `a` transposed, broadcast along a
 * batch axis, or a view with gaps.
 */
function foldedRowStride(A: Operand, batch: Shape, m: number): number | null {
  let span = A.rowStride * m;
  for (let d = batch.length - 1; d >= 0; d--) {
    if (batch[d] === 1) continue;
    if (A.batchStrides[d] !== span) return null;
    span *= batch[d];
  }
  return A.rowStride;
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

/** o[at …] = a · b by dot products over the views' strides (the sums in float64). */
function matmulLoop(o: TypedArray, at: number, a: CpuArray, b: CpuArray, m: number, n: number, k: number): void {
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
      o[at + i * n + j] = s;
    }
  }
}
