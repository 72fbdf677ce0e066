import type { CpuArray, BufferLedger } from './buffers.ts';
import { rowMajor } from './buffers.ts';
import { around } from './layout.ts';

/**
 * The adjoint of Gather: zeros of `values.shape[:axis] + [size] + values.shape[axis + k:]` (k the
 * rank of `indices`) with each slice of `values` added at its index, in the order of the picks.
 * Values whose index is outside [0, size) are added nowhere.
 *
 * The output comes from the ledger's clean buffers and records the slices it wrote, so that its
 * release zeroes those slices alone: a gradient of a few rows picked from a large table costs the
 * rows picked, not the table (see `BufferLedger.allocClean`).
 */
export function scatterAdd(
  ledger: BufferLedger,
  values: CpuArray,
  indices: CpuArray,
  axis: number,
  size: number,
): CpuArray {
  const k = indices.shape.length;
  const { outer, inner } = around(values.shape, axis, k);
  const out = ledger.allocClean([...values.shape.slice(0, axis), size, ...values.shape.slice(axis + k)], values.dtype);
  const picks = indices.size;
  if (out.size === 0 || picks === 0 || inner === 0) return out;
  const v = rowMajor(values);
  const idx = rowMajor(indices);
  // a copy of the indices: the restore below may run after the indices are released
  const rows = idx.data.slice(idx.offset, idx.offset + picks);
  const o = out.data;
  const vd = v.data;
  let from = v.offset;
  for (let q = 0; q < outer; q++) {
    const base = q * size * inner;
    for (let i = 0; i < picks; i++, from += inner) {
      const r = rows[i];
      if (!(r >= 0 && r < size)) continue;
      for (let j = 0, to = base + r * inner; j < inner; j++) o[to + j] += vd[from + j];
    }
  }
  if (values.size < out.size) {
    ledger.keepClean(out, () => {
      for (let q = 0; q < outer; q++) {
        for (let i = 0; i < picks; i++) {
          const r = rows[i];
          if (r >= 0 && r < size) o.fill(0, (q * size + r) * inner, (q * size + r + 1) * inner);
        }
      }
    });
  }
  return out;
}
