import ndarray from 'ndarray';
import ops from 'ndarray-ops';
import type { DType } from '@graphgrad/core';
import { contiguousStrides, reshapeStrides, type Shape } from '@graphgrad/core';
import { isContiguous, rowMajor, type BufferLedger, type CpuArray } from './buffers.ts';
import { broadcastView } from './elementwise.ts';

/** A view with permuted axes (no copy). */
export function transpose(ledger: BufferLedger, x: CpuArray, perm: readonly number[]): CpuArray {
  return ledger.view(
    x,
    perm.map((p) => x.shape[p]),
    perm.map((p) => x.stride[p]),
    x.offset,
  );
}

/** A stride-0 view (no copy). */
export function broadcastTo(ledger: BufferLedger, x: CpuArray, shape: Shape): CpuArray {
  const v = broadcastView(x, shape);
  return ledger.view(x, v.shape, v.stride, v.offset);
}

/** A view wherever strides can read `x` under the new shape (numpy's rule), otherwise a row-major copy. */
export function reshape(ledger: BufferLedger, x: CpuArray, shape: Shape): CpuArray {
  if (isContiguous(x)) return ledger.view(x, shape, contiguousStrides(shape), x.offset);
  // A strided view (a slice, h[:, t, :]) keeps its strides when only its axes regroup.
  const strides = reshapeStrides(x.shape, x.stride, shape);
  if (strides !== null) return ledger.view(x, shape, strides, x.offset);
  const out = ledger.alloc(shape, x.dtype);
  ops.assign(ndarray(out.data, [...x.shape], contiguousStrides(x.shape), 0), x);
  return out;
}

/** Slices of `x` along `axis` picked by int32 indices (numpy's take). */
export function gather(ledger: BufferLedger, x: CpuArray, indices: CpuArray, axis: number): CpuArray {
  const { data, offset } = rowMajor(x);
  const idx = rowMajor(indices);
  const { outer, inner } = around(x.shape, axis, 1);
  const rows = x.shape[axis];
  const picks = indices.size;
  const out = ledger.alloc([...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)], x.dtype, true);
  const o = out.data;
  const bad = badIndexValue(x.dtype);
  // NOTE: short slices (the spiral's 2 features) are copied element by element: a subarray per
  // slice costs more than the copy.
  const short = inner < 64;
  let at = 0;
  for (let q = 0; q < outer; q++) {
    const base = offset + q * rows * inner;
    for (let i = 0; i < picks; i++, at += inner) {
      const r = idx.data[idx.offset + i];
      if (!(r >= 0 && r < rows)) {
        o.fill(bad, at, at + inner);
        continue;
      }
      const from = base + r * inner;
      if (short) for (let j = 0; j < inner; j++) o[at + j] = data[from + j];
      else o.set(data.subarray(from, from + inner), at);
    }
  }
  return out;
}

/** Elements before and after the `count` axes from `axis` of `shape`: outer slices × picks × inner run. */
export function around(shape: Shape, axis: number, count: number): { outer: number; inner: number } {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d];
  let inner = 1;
  for (let d = axis + count; d < shape.length; d++) inner *= shape[d];
  return { outer, inner };
}

/**
 * What an element picked by an index out of range reads as (the kernel contract both backends
 * keep; the nodes reject such indices before a kernel runs wherever the host can read them): NaN
 * in a float array, so the mistake cannot pass for a number, 0 in an int32 one.
 */
function badIndexValue(dtype: DType): number {
  return dtype === 'int32' ? 0 : NaN;
}

export function oneHot(ledger: BufferLedger, indices: CpuArray, depth: number, dtype: DType): CpuArray {
  const idx = rowMajor(indices);
  const out = ledger.alloc([...indices.shape, depth], dtype);
  for (let i = 0; i < indices.size; i++) {
    const k = idx.data[idx.offset + i];
    if (k >= 0 && k < depth) out.data[i * depth + k] = 1;
    else out.data.fill(badIndexValue(dtype), i * depth, (i + 1) * depth);
  }
  return out;
}

export function cast(ledger: BufferLedger, x: CpuArray, dtype: DType): CpuArray {
  const out = ledger.alloc(x.shape, dtype, true);
  ops.assign(out, x);
  return out;
}
