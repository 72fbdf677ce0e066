import ndarray from 'ndarray';
import ops from 'ndarray-ops';
import type { ReduceKernelName } from '@graphgrad/core';
import type { TypedArray } from '@graphgrad/core';
import { reducedShape, type Shape } from '@graphgrad/core';
import { isContiguous, rowMajor, type BufferLedger, type CpuArray } from './buffers.ts';

/**
 * Sum or Max along `axes`. A contiguous input whose reduced axes are adjacent (all of them, the
 * leading ones, the trailing ones or one run in the middle: x viewed as [outer, len, inner]) is
 * reduced by a plain loop; any other input by ndarray-ops (`reduceReference`).
 */
export function reduce(
  ledger: BufferLedger,
  name: ReduceKernelName,
  x: CpuArray,
  axes: readonly number[],
  keepDims: boolean,
): CpuArray {
  const run = isContiguous(x) ? adjacentRun(x.shape, axes) : null;
  if (run === null) return reduceReference(ledger, name, x, axes, keepDims);
  const out = ledger.alloc(reducedShape(x.shape, axes, keepDims), x.dtype);
  const [outer, len, inner] = run;
  if (name === 'Sum') sumLoop(out.data, x.data, x.offset, outer, len, inner);
  else maxLoop(out.data, x.data, x.offset, outer, len, inner, x.dtype === 'int32' ? INT32_MIN : -Infinity);
  return out;
}

// NOTE: an Int32Array stores -Infinity as 0, so int32 maxima start from the smallest int32.
const INT32_MIN = -2147483648;

/** [outer, len, inner] when the reduced axes are one run of adjacent axes (or none), else null. */
function adjacentRun(shape: Shape, axes: readonly number[]): [number, number, number] | null {
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1] + 1) return null;
  const first = axes.length === 0 ? shape.length : axes[0];
  const last = axes.length === 0 ? shape.length - 1 : axes[axes.length - 1];
  let outer = 1;
  let len = 1;
  let inner = 1;
  for (let i = 0; i < shape.length; i++) {
    if (i < first) outer *= shape[i];
    else if (i <= last) len *= shape[i];
    else inner *= shape[i];
  }
  return [outer, len, inner];
}

function sumLoop(o: TypedArray, x: TypedArray, off: number, outer: number, len: number, inner: number): void {
  if (inner === 1) {
    for (let a = 0; a < outer; a++) {
      let s = 0;
      const base = off + a * len;
      for (let r = 0; r < len; r++) s += x[base + r];
      o[a] = s;
    }
    return;
  }
  // rows of `inner` elements summed into the output row (its zeros from the allocation)
  for (let a = 0; a < outer; a++) {
    const ob = a * inner;
    for (let r = 0; r < len; r++) {
      const base = off + (a * len + r) * inner;
      for (let c = 0; c < inner; c++) o[ob + c] += x[base + c];
    }
  }
}

// NOTE: Math.max propagates NaN, as numpy's max (and ndarray-ops' maxeq) does.
function maxLoop(
  o: TypedArray,
  x: TypedArray,
  off: number,
  outer: number,
  len: number,
  inner: number,
  init: number,
): void {
  if (inner === 1) {
    for (let a = 0; a < outer; a++) {
      let m = init;
      const base = off + a * len;
      for (let r = 0; r < len; r++) m = Math.max(m, x[base + r]);
      o[a] = m;
    }
    return;
  }
  o.fill(init);
  for (let a = 0; a < outer; a++) {
    const ob = a * inner;
    for (let r = 0; r < len; r++) {
      const base = off + (a * len + r) * inner;
      for (let c = 0; c < inner; c++) o[ob + c] = Math.max(o[ob + c], x[base + c]);
    }
  }
}

/**
 * Sum or Max along `axes` by ndarray-ops, for any strides (the fast loops' reference): the output,
 * viewed with stride 0 along the reduced axes, is as large as the input, so one in-place pass
 * (`addeq`/`maxeq`) accumulates every element into it.
 */
export function reduceReference(
  ledger: BufferLedger,
  name: ReduceKernelName,
  x: CpuArray,
  axes: readonly number[],
  keepDims: boolean,
): CpuArray {
  const kept = reducedShape(x.shape, axes, true);
  const out = ledger.alloc(kept, x.dtype);
  if (name === 'Max') out.data.fill(x.dtype === 'int32' ? INT32_MIN : -Infinity);
  const strides = out.stride.map((s, i) => (axes.includes(i) ? 0 : s));
  const accumulator = ndarray(out.data, [...x.shape], strides, 0);
  (name === 'Sum' ? ops.addeq : ops.maxeq)(accumulator, x);
  if (keepDims) return out;
  const shape = reducedShape(x.shape, axes, false);
  return ndarray(
    out.data,
    shape,
    out.stride.filter((_, i) => !axes.includes(i)),
    0,
  );
}

/** Index of the largest element along `axis`, first on ties; NaN counts as largest, as in numpy. */
export function argMax(ledger: BufferLedger, x: CpuArray, axis: number): CpuArray {
  const { data, offset } = rowMajor(x);
  const outer = x.shape.slice(0, axis).reduce((n, d) => n * d, 1);
  const len = x.shape[axis];
  const inner = x.shape.slice(axis + 1).reduce((n, d) => n * d, 1);
  const out = ledger.alloc(reducedShape(x.shape, [axis], false), 'int32');
  const o = out.data;
  for (let a = 0; a < outer; a++) {
    for (let c = 0; c < inner; c++) {
      const base = offset + a * len * inner + c;
      let best = 0;
      let bestValue = data[base];
      for (let k = 1; k < len && !Number.isNaN(bestValue); k++) {
        const v = data[base + k * inner];
        if (v > bestValue || Number.isNaN(v)) {
          best = k;
          bestValue = v;
        }
      }
      o[a * inner + c] = best;
    }
  }
  return out;
}
