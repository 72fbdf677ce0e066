import ndarray from 'ndarray';
import ops from 'ndarray-ops';
import type { ReduceKernelName } from '@graphgrad/core';
import type { DType, TypedArray } from '@graphgrad/core';
import { reducedShape, type Shape } from '@graphgrad/core';
import { isContiguous, rowMajor, type BufferLedger, type CpuArray } from './buffers.ts';
import { reduceRowsF32Wasm } from './wasm/reduce-f32.ts';
import { WASM_REDUCE_MIN } from './tiers.ts';

/**
 * Sum, Max or Min along `axes`. A contiguous input whose reduced axes are adjacent (all of them, the
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
  const [outer, len, inner] = run;
  const out = ledger.alloc(reducedShape(x.shape, axes, keepDims), x.dtype, inner > 1);
  if (x.dtype === 'float32' && inner > 1 && x.size >= WASM_REDUCE_MIN) {
    const [o, data] = [out.data, x.data] as Float32Array[];
    if (reduceRowsF32Wasm(name, o, data, x.offset, outer, len, inner)) return out;
  }
  reduceLoop(name)(out.data, x.data, x.offset, outer, len, inner, initialValue(name, x.dtype));
  return out;
}

// NOTE: an Int32Array stores ±Infinity as 0, so int32 extrema start from the ends of the int32 range.
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** What a reduction of nothing gives, and where each reduction starts. */
function initialValue(name: ReduceKernelName, dtype: DType): number {
  if (name === 'Sum') return 0;
  if (name === 'Max') return dtype === 'int32' ? INT32_MIN : -Infinity;
  return dtype === 'int32' ? INT32_MAX : Infinity;
}

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

/** Reduces x viewed as [outer, len, inner] along len, starting from `init`. */
type ReduceLoop = (
  o: TypedArray,
  x: TypedArray,
  off: number,
  outer: number,
  len: number,
  inner: number,
  init: number,
) => void;

/** How each reduction takes one more element `v` into its accumulator `acc`. */
const COMBINE: { readonly [K in ReduceKernelName]: string } = {
  Sum: 'acc + v',
  // NOTE: Math.max and Math.min propagate NaN, as numpy's max and min (and ndarray-ops') do.
  Max: 'Math.max(acc, v)',
  Min: 'Math.min(acc, v)',
};

// NOTE: one template with each reduction's step pasted in, compiled once per reduction (see
// binary-loops.ts). With inner > 1, rows of `inner` elements are combined into the output row.
const TEMPLATE = `
if (inner === 1) {
  for (let a = 0; a < outer; a++) {
    let acc = init;
    const base = off + a * len;
    for (let r = 0; r < len; r++) { const v = x[base + r]; acc = COMBINE; }
    o[a] = acc;
  }
  return;
}
o.fill(init);
for (let a = 0; a < outer; a++) {
  const ob = a * inner;
  for (let r = 0; r < len; r++) {
    const base = off + (a * len + r) * inner;
    for (let c = 0; c < inner; c++) { const acc = o[ob + c], v = x[base + c]; o[ob + c] = COMBINE; }
  }
}`;

const compiled: Partial<Record<ReduceKernelName, ReduceLoop>> = {};

function reduceLoop(name: ReduceKernelName): ReduceLoop {
  let loop = compiled[name];
  if (loop === undefined) {
    const body = TEMPLATE.replaceAll('COMBINE', `(${COMBINE[name]})`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the template above, see binary-loops.ts
    loop = new Function('o', 'x', 'off', 'outer', 'len', 'inner', 'init', body) as ReduceLoop;
    compiled[name] = loop;
  }
  return loop;
}

/**
 * Sum, Max or Min along `axes` by ndarray-ops, for any strides (the fast loops' reference): the
 * output, viewed with stride 0 along the reduced axes, is as large as the input, so one in-place
 * pass (`addeq`/`maxeq`/`mineq`) accumulates every element into it.
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
  if (name !== 'Sum') out.data.fill(initialValue(name, x.dtype));
  const strides = out.stride.map((s, i) => (axes.includes(i) ? 0 : s));
  const accumulator = ndarray(out.data, [...x.shape], strides, 0);
  ({ Sum: ops.addeq, Max: ops.maxeq, Min: ops.mineq })[name](accumulator, x);
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
