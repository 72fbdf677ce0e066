import ndarray from 'ndarray';
import ops from 'ndarray-ops';
import type { DType } from '@graphgrad/core';
import { contiguousStrides, type Shape } from '@graphgrad/core';
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

/** A view when `x` is contiguous, otherwise a row-major copy under the new shape. */
export function reshape(ledger: BufferLedger, x: CpuArray, shape: Shape): CpuArray {
  if (isContiguous(x)) return ledger.view(x, shape, contiguousStrides(shape), x.offset);
  const out = ledger.alloc(shape, x.dtype);
  ops.assign(ndarray(out.data, [...x.shape], contiguousStrides(x.shape), 0), x);
  return out;
}

/** Rows of `x` picked by int32 indices along axis 0. */
export function gather(ledger: BufferLedger, x: CpuArray, indices: CpuArray): CpuArray {
  const { data, offset } = rowMajor(x);
  const idx = rowMajor(indices);
  const row = x.size / Math.max(x.shape[0], 1);
  const out = ledger.alloc([...indices.shape, ...x.shape.slice(1)], x.dtype);
  const o = out.data;
  // NOTE: short rows (the spiral's 2 features) are copied element by element: a subarray per row
  // costs more than the copy.
  const short = row < 64;
  const rows = x.shape[0];
  for (let i = 0; i < indices.size; i++) {
    const r = idx.data[idx.offset + i];
    if (!(r >= 0 && r < rows)) {
      o.fill(badIndexValue(x.dtype), i * row, (i + 1) * row);
      continue;
    }
    const from = offset + r * row;
    if (short) for (let j = 0; j < row; j++) o[i * row + j] = data[from + j];
    else o.set(data.subarray(from, from + row), i * row);
  }
  return out;
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
