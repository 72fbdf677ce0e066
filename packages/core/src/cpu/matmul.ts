import gemm from 'ndarray-gemm';
import type { DType } from '../dtype.ts';
import type { BufferLedger, CpuArray } from './buffers.ts';

/** op(a) · op(b) through ndarray-gemm; a transpose flag swaps the view's strides, never the data. */
export function matmul(ledger: BufferLedger, a: CpuArray, b: CpuArray, transposeA: boolean, transposeB: boolean): CpuArray {
  const left = transposeA ? a.transpose(1, 0) : a;
  const right = transposeB ? b.transpose(1, 0) : b;
  const out = ledger.alloc([left.shape[0], right.shape[1]], a.dtype as DType);
  if (left.shape[1] > 0) gemm(out, left, right);
  return out;
}
