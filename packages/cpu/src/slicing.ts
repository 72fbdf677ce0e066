import ops from 'ndarray-ops';
import { contiguousStrides, type Shape } from '@graphgrad/core';
import { isContiguous, makeView, rowsOf, type BufferLedger, type CpuArray } from './buffers.ts';

// Slices, their backward and concatenation are all one move: a strided region of one array read or
// written as a whole array. A region is an offset and strides over a buffer, so a slice with
// positive steps is a view, and the other two write through a view of their output.

/** The offset and strides of the region `starts`/`steps` of a view with `strides` from `offset`. */
function region(
  strides: readonly number[],
  offset: number,
  starts: readonly number[],
  steps: readonly number[],
): { offset: number; strides: number[] } {
  let at = offset;
  for (let d = 0; d < strides.length; d++) at += starts[d] * strides[d];
  return { offset: at, strides: strides.map((s, d) => s * steps[d]) };
}

/**
 * Copies `src` into `dst` (same shape): one typed-array copy when both are contiguous, a copy per
 * row when both are rows some stride apart (a concatenation's part, a time step), else ndarray-ops.
 */
function assign(dst: CpuArray, src: CpuArray): void {
  if (src.size === 0) return;
  if (isContiguous(dst) && isContiguous(src)) {
    dst.data.set(src.data.subarray(src.offset, src.offset + src.size), dst.offset);
    return;
  }
  const [to, from] = [rowsOf(dst), rowsOf(src)];
  if (to === null || from === null) {
    ops.assign(dst, src);
    return;
  }
  const { rows, cols } = to;
  const [o, x] = [dst.data, src.data];
  for (let r = 0, d = dst.offset, s = src.offset; r < rows; r++, d += to.rowStride, s += from.rowStride) {
    // NOTE: short rows element by element: a subarray and a set() cost more than they copy
    if (cols >= LONG_ROW) o.set(x.subarray(s, s + cols), d);
    else for (let c = 0; c < cols; c++) o[d + c] = x[s + c];
  }
}

/** Rows of at least this many elements are copied with one typed-array `set`. */
const LONG_ROW = 64;

/** numpy's basic slice: a view for positive steps, a row-major copy when some step is negative. */
export function slice(
  ledger: BufferLedger,
  x: CpuArray,
  starts: readonly number[],
  steps: readonly number[],
  shape: Shape,
): CpuArray {
  const r = region(x.stride, x.offset, starts, steps);
  if (steps.every((s) => s > 0)) return ledger.view(x, shape, r.strides, r.offset);
  const out = ledger.alloc(shape, x.dtype, true);
  assign(out, makeView(x.data, shape, r.strides, r.offset));
  return out;
}

/** Zeros of `shape` with `x` written into the region `starts`/`steps` (a slice's backward). */
export function sliceScatter(
  ledger: BufferLedger,
  x: CpuArray,
  starts: readonly number[],
  steps: readonly number[],
  shape: Shape,
): CpuArray {
  const out = ledger.alloc(shape, x.dtype);
  const r = region(contiguousStrides(shape), out.offset, starts, steps);
  assign(makeView(out.data, x.shape, r.strides, r.offset), x);
  return out;
}

/** The arrays joined along `axis`: each copied into its region of one new array. */
export function concat(ledger: BufferLedger, xs: readonly CpuArray[], axis: number): CpuArray {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
  // Every element is written by exactly one input, so the new array need not be zeroed.
  const out = ledger.alloc(shape, xs[0].dtype, true);
  const strides = contiguousStrides(shape);
  let at = 0;
  for (const x of xs) {
    assign(makeView(out.data, x.shape, strides, out.offset + at * strides[axis]), x);
    at += x.shape[axis];
  }
  return out;
}
