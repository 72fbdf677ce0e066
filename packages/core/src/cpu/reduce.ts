import ndarray from 'ndarray';
import ops from 'ndarray-ops';
import type { ReduceKernelName } from '../backend.ts';
import type { DType } from '../dtype.ts';
import { reducedShape } from '../shape.ts';
import { rowMajor, type BufferLedger, type CpuArray } from './buffers.ts';

/**
 * Sum or Max along `axes`: the output, viewed with stride 0 along the reduced axes, is as large as
 * the input, so one in-place ndarray-ops pass (`addeq`/`maxeq`) accumulates every element into it.
 */
export function reduce(
  ledger: BufferLedger,
  name: ReduceKernelName,
  x: CpuArray,
  axes: readonly number[],
  keepDims: boolean,
): CpuArray {
  const kept = reducedShape(x.shape, axes, true);
  const out = ledger.alloc(kept, x.dtype as DType);
  // NOTE: an Int32Array stores -Infinity as 0, so int32 maxima start from the smallest int32.
  if (name === 'Max') out.data.fill(x.dtype === 'int32' ? -2147483648 : -Infinity);
  const strides = out.stride.map((s, i) => (axes.includes(i) ? 0 : s));
  const accumulator = ndarray(out.data, [...x.shape], strides, 0);
  (name === 'Sum' ? ops.addeq : ops.maxeq)(accumulator, x);
  if (keepDims) return out;
  const shape = reducedShape(x.shape, axes, false);
  return ndarray(out.data, shape, out.stride.filter((_, i) => !axes.includes(i)), 0);
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
